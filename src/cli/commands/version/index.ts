import { KILN_VERSION, PACKER_COMPAT_VERSION } from "../../../version.js";
import type { Command } from "../../io.js";

const version: Command = {
  synopsis: "Prints the kiln version",
  help: "Usage: kiln version\n\n  Prints the kiln version and the Packer version it is compatible with.\n",
  async run(_args, io) {
    io.stdout.write(`kiln v${KILN_VERSION} (compatible with Packer v${PACKER_COMPAT_VERSION})\n`);
    return 0;
  },
};
export default version;

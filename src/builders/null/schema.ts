// The null builder: creates nothing, connects to an existing machine with a
// communicator so provisioners can run there (Packer core).

import {
  checkCommunicator,
  communicatorConfig,
  communicatorHost,
  communicatorPassword,
  communicatorUser,
} from "../../communicators/schema.js";
import {
  type ComponentSchema,
  flag,
  isUnknown,
  type PlainConfig,
  str,
} from "../../components/schema.js";

const comm = communicatorConfig("ssh");

export const schema: ComponentSchema = {
  kind: "builder",
  type: "null",
  plugin: "builtin",
  config: {
    fields: comm.fields,
    finalize: comm.finalize,
    check: checkNull,
  },
};

/** The null builder's Prepare errors: the communicator's, then its own, in Packer's order. */
function checkNull(config: PlainConfig): string[] {
  const errs = checkCommunicator(config);
  const type = str(config, "communicator");
  if (type === "none" || isUnknown(type)) return errs;
  const host = communicatorHost(config);
  const user = communicatorUser(config);
  const password = communicatorPassword(config);
  const keyFile = str(config, "ssh_private_key_file");
  const agent = flag(config, "ssh_agent_auth");
  if ([host, user, password, keyFile].some(isUnknown)) return errs;
  if (host === "") {
    errs.push("a Host must be specified, please reference your communicator documentation");
  }
  if (user === "") {
    errs.push("a Username must be specified, please reference your communicator documentation");
  }
  if (!agent && password === "" && keyFile === "") {
    errs.push(
      "one authentication method must be specified, please reference your communicator documentation",
    );
  }
  const sshPassword = str(config, "ssh_password");
  if ((agent && (sshPassword !== "" || keyFile !== "")) || (sshPassword !== "" && keyFile !== "")) {
    errs.push(
      "only one of ssh_agent_auth, ssh_password, and ssh_private_key_file must be specified",
    );
  }
  return errs;
}

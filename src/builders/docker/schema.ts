// The docker builder (github.com/hashicorp/docker): runs a container from an
// image, provisions it, then commits, exports or discards it.

import { checkCommunicator, communicatorConfig } from "../../communicators/schema.js";
import {
  type ComponentSchema,
  field,
  flag,
  isUnknown,
  type PlainConfig,
  str,
} from "../../components/schema.js";

const comm = communicatorConfig("docker");

const linuxRunCommand = ["-d", "-i", "-t", "--entrypoint=/bin/sh", "--", "{{.Image}}"];
const windowsRunCommand = ["-d", "-i", "-t", "--entrypoint=powershell", "--", "{{.Image}}"];

export const schema: ComponentSchema = {
  kind: "builder",
  type: "docker",
  plugin: "github.com/hashicorp/docker",
  generatedData: ["ImageSha256", "SourceImageDigest"],
  config: {
    fields: {
      ...comm.fields,
      author: field.string("Author (e-mail) recorded in the commit."),
      changes: field.stringList(
        'Dockerfile instructions to apply when committing, e.g. "CMD ...", "ENV ...", "EXPOSE 8080".',
      ),
      commit: field.bool("Commit the container to an image at the end."),
      container_dir: field.string(
        "Directory in the container where the host's temporary directory is mounted for uploads.",
        { default: "/packer-files" },
      ),
      device: field.stringList("Devices to make available in the container when not privileged."),
      discard: field.bool("Throw the container away at the end."),
      cap_add: field.stringList("Linux capabilities to add to the container."),
      cap_drop: field.stringList("Linux capabilities to drop from the container."),
      exec_user: field.string('User (UID or "UID:GID") to run provisioning commands as.'),
      export_path: field.string("Export the container's filesystem to this tar file at the end."),
      image: field.string("Base image to run, in any form docker pull accepts.", {
        required: true,
      }),
      message: field.string("Message recorded in the commit."),
      privileged: field.bool("Run the container with --privileged."),
      pty: field.bool("Allocate a pseudo-terminal when running commands.", { goName: "Pty" }),
      runtime: field.string("Container runtime to use (docker run --runtime)."),
      pull: field.bool("Pull the image before running it.", { default: true }),
      run_command: field.stringList("Arguments to docker run; {{.Image}} stands for the image.", {
        default: linuxRunCommand,
      }),
      tmpfs: field.stringList("tmpfs mounts to add to the container."),
      volumes: field.stringMap("Extra volumes to mount: host path to container path."),
      fix_upload_owner: field.bool("Give uploaded files to the user the container runs as.", {
        default: true,
      }),
      windows_container: field.bool("Build a Windows container on a Windows host."),
      platform: field.string('Platform of the image to pull and run, e.g. "linux/arm64".'),
      login: field.bool("Log in to a registry before pulling the image."),
      login_password: field.string("Password for the registry login.", { sensitive: true }),
      login_server: field.string("Registry server to log in to."),
      login_username: field.string("User for the registry login."),
      ecr_login: field.bool(
        "Log in to Amazon ECR (login_server required) before pulling; login_* are then ignored.",
      ),
      aws_access_key: field.string("AWS access key for the ECR login.", { sensitive: true }),
      aws_secret_key: field.string("AWS secret key for the ECR login.", { sensitive: true }),
      aws_token: field.string("AWS session token for the ECR login.", { sensitive: true }),
      aws_profile: field.string("AWS shared-credentials profile for the ECR login."),
      aws_force_use_public_ecr: field.bool("Log in to the public ECR gallery."),
    },
    finalize(config, given) {
      if (flag(config, "windows_container")) {
        if (!given.has("run_command")) config.run_command = [...windowsRunCommand];
        if (!given.has("container_dir")) config.container_dir = "c:/packer-files";
        if (!given.has("communicator")) config.communicator = "dockerWindowsContainer";
      }
      if (Array.isArray(config.run_command) && config.run_command.length === 0) {
        delete config.run_command;
      }
      comm.finalize?.(config, given);
    },
    check: checkDocker,
  },
};

/** The docker builder's Prepare errors that need no file access, in the plugin's order. */
function checkDocker(config: PlainConfig): string[] {
  const errs = checkCommunicator(config);
  const image = str(config, "image");
  if (image === "") errs.push("Image must be specified");
  const exportPath = str(config, "export_path");
  const known = !isUnknown(exportPath) && !isUnknown(config.commit) && !isUnknown(config.discard);
  if (known) {
    const exp = exportPath !== "";
    const commit = flag(config, "commit");
    const discard = flag(config, "discard");
    if ((exp && commit) || (exp && discard) || (commit && discard)) {
      errs.push("Cannot specify more than one of commit, discard, and export_path");
    }
    if (!exp && !commit && !discard) {
      errs.push(
        "No instructions given for handling the artifact; expected commit, discard, or export_path",
      );
    }
  }
  if (flag(config, "ecr_login") && str(config, "login_server") === "") {
    errs.push("ECR login requires login server to be provided.");
  }
  return errs;
}

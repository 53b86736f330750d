import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeHCLConfig } from "../../src/components/decode-hcl.js";
import { loadSchema } from "../../src/components/registry.js";
import type { ComponentKind, PlainValue } from "../../src/components/schema.js";
import type { Range } from "../../src/hcl/pos.js";
import { parseConfig } from "../../src/hcl/syntax/index.js";

// Every component's schema through the HCL decoder: a valid block with its
// defaults, an unknown argument with HCL's suggestion, the required
// arguments, a wrongly typed value, and each Prepare-time check it declares
// (worded as the Packer plugin words it).

const at: Range = {
  filename: "t.pkr.hcl",
  start: { line: 1, column: 1, byte: 0 },
  end: { line: 1, column: 5, byte: 4 },
};

async function decode(kind: ComponentKind, type: string, src: string) {
  const schema = await loadSchema(kind, type);
  assert.ok(schema, `${kind} ${type} is registered`);
  const { file, diags } = parseConfig(src, "t.pkr.hcl");
  assert.deepEqual(diags, []);
  return decodeHCLConfig(file.body, schema.config, {}, at);
}

interface Case {
  kind: ComponentKind;
  type: string;
  /** A valid body and some of the configuration it must decode to (defaults included). */
  valid: string;
  expect: Record<string, PlainValue>;
  /** A misspelt argument and the option HCL suggests. */
  typo: [string, string];
  /** The options Packer refuses to go without. */
  required?: string[];
  /** An argument of the wrong type and the type HCL asks for. */
  wrongType: [string, string, string];
  /** Bodies whose checks fail, and the messages (in order). */
  checks?: [string, string[]][];
  warnings?: [string, string[]][];
}

const sshOK = `ssh_host = "h"\nssh_username = "u"\nssh_password = "p"`;
const iso = `iso_url = "x.iso"\niso_checksum = "sha256:00"\nssh_username = "u"`;

const cases: Case[] = [
  {
    kind: "builder",
    type: "null",
    valid: sshOK,
    expect: {
      communicator: "ssh",
      ssh_port: 22,
      ssh_timeout: "5m",
      ssh_handshake_attempts: 10,
      ssh_file_transfer_method: "scp",
      winrm_port: 5985,
    },
    typo: ["ssh_usrname", "ssh_username"],
    wrongType: ["ssh_port", `"twenty"`, "a number is required"],
    checks: [
      [
        "",
        [
          'An ssh_username must be specified\n  Note: some builders used to default ssh_username to "root".',
          "a Host must be specified, please reference your communicator documentation",
          "a Username must be specified, please reference your communicator documentation",
          "one authentication method must be specified, please reference your communicator documentation",
        ],
      ],
      [`communicator = "none"`, []],
      [
        `${sshOK}\nssh_agent_auth = true`,
        ["only one of ssh_agent_auth, ssh_password, and ssh_private_key_file must be specified"],
      ],
      [
        `communicator = "winrm"\nwinrm_host = "h"\nwinrm_password = "p"`,
        [
          "winrm_username must be specified.",
          "a Username must be specified, please reference your communicator documentation",
        ],
      ],
      [
        `communicator = "telnet"\n${sshOK}`,
        [
          "Communicator type telnet is invalid",
          "a Host must be specified, please reference your communicator documentation",
          "a Username must be specified, please reference your communicator documentation",
          "one authentication method must be specified, please reference your communicator documentation",
        ],
      ],
      [
        `${sshOK}\nssh_certificate_file = "c"\nssh_file_transfer_method = "rsync"`,
        [
          "ssh_private_key_file must be specified if ssh_certificate_file is specified",
          "ssh_file_transfer_method ('rsync') is invalid, valid methods: sftp, scp",
        ],
      ],
      [
        `${sshOK}\nssh_bastion_host = "b"\nssh_proxy_host = "p"\nssh_bastion_certificate_file = "c"`,
        [
          "ssh_bastion_private_key_file must be specified if ssh_bastion_certificate_file is specified",
          "ssh_bastion_password, ssh_bastion_private_key_file or ssh_bastion_agent_auth must be specified",
          "please specify either ssh_bastion_host or ssh_proxy_host, not both",
        ],
      ],
    ],
  },
  {
    kind: "builder",
    type: "file",
    valid: `target = "out.txt"\ncontent = "hello"`,
    expect: { target: "out.txt", content: "hello" },
    typo: ["contents", "content"],
    required: ["target"],
    wrongType: ["content", `["a"]`, "string required"],
    checks: [
      [`target = ""\ncontent = "x"`, ["target required"]],
      [`target = "t"\ncontent = "x"\nsource = "s"`, ["Cannot specify source file AND content"]],
    ],
    warnings: [
      [`target = "t"`, ["Both source file and contents are blank; target will have no content"]],
    ],
  },
  {
    kind: "builder",
    type: "docker",
    valid: `image = "ubuntu:22.04"\ncommit = true`,
    expect: {
      image: "ubuntu:22.04",
      commit: true,
      discard: false,
      pull: true,
      fix_upload_owner: true,
      container_dir: "/packer-files",
      communicator: "docker",
      run_command: ["-d", "-i", "-t", "--entrypoint=/bin/sh", "--", "{{.Image}}"],
    },
    typo: ["imag", "image"],
    required: ["image"],
    wrongType: ["volumes", `["a"]`, "map of string required"],
    checks: [
      [
        `image = ""`,
        [
          "Image must be specified",
          "No instructions given for handling the artifact; expected commit, discard, or export_path",
        ],
      ],
      [
        `image = "i"\ncommit = true\nexport_path = "x.tar"`,
        ["Cannot specify more than one of commit, discard, and export_path"],
      ],
      [
        `image = "i"\ndiscard = true\necr_login = true`,
        ["ECR login requires login server to be provided."],
      ],
      [
        `image = "i"\ndiscard = true\ncommunicator = "ssh"`,
        [
          'An ssh_username must be specified\n  Note: some builders used to default ssh_username to "root".',
        ],
      ],
    ],
  },
  {
    kind: "builder",
    type: "qemu",
    valid: `${iso}\ndisk_size = "20000"\nqemu_img_args {\n  convert = ["-c"]\n}`,
    expect: {
      disk_size: "20000M",
      format: "qcow2",
      disk_interface: "virtio",
      disk_cache: "writeback",
      disk_discard: "ignore",
      disk_detect_zeroes: "off",
      machine_type: "pc",
      memory: 512,
      net_device: "virtio-net",
      qemu_binary: "qemu-system-x86_64",
      vnc_bind_address: "127.0.0.1",
      vnc_port_min: 5900,
      vnc_port_max: 6000,
      host_port_min: 2222,
      host_port_max: 4444,
      boot_wait: "10s",
      shutdown_timeout: "5m",
      http_port_min: 8000,
      http_port_max: 9000,
      http_bind_address: "0.0.0.0",
      iso_target_extension: "iso",
      tpm_device_type: "tpm-tis",
      communicator: "ssh",
      qemu_img_args: { convert: ["-c"] },
    },
    typo: ["disk_sizes", "disk_size"],
    wrongType: ["qemuargs", `["-m", "1G"]`, "element 0: list of string required"],
    checks: [
      [
        `${iso}\nformat = "vmdk"\ndisk_size = "big"\naccelerator = "magic"\ndisk_interface = "floppy"\ndisk_cache = "lots"\ndisk_discard = "x"\ndisk_detect_zeroes = "y"\nskip_resize_disk = true\ncpus = -1`,
        [
          "Invalid disk size.",
          "invalid format, only 'qcow2' or 'raw' are allowed",
          "skip_resize_disk can only be used when disk_image is true",
          "invalid accelerator, only 'kvm', 'tcg', 'xen', 'hax', 'hvf', 'whpx', or 'none' are allowed",
          "unrecognized disk interface type",
          "unrecognized disk cache type",
          "unrecognized disk discard type",
          "unrecognized disk detect zeroes setting",
          "cpus must be a positive number",
        ],
      ],
      [
        `${iso}\nvnc_port_min = 5000\nvnc_port_max = 70000\nhost_port_min = 5000\nhost_port_max = 4000\nuse_backing_file = true`,
        [
          "host_port_min must be less than host_port_max",
          "use_backing_file can only be enabled for QCOW2 images and when disk_image is true",
          "vnc_port_min cannot be below 5900",
          "vmc_port_min and vnc_port_max must both be below 65535 to be valid TCP ports",
        ],
      ],
      [`${iso}\nvnc_port_min = 6001`, ["vnc_port_min must be less than vnc_port_max"]],
      [`ssh_username = "u"`, ["One of iso_url or iso_urls must be specified"]],
      [`${iso}\niso_urls = ["y.iso"]`, ["Only one of iso_url or iso_urls must be specified"]],
      [`iso_url = "x.iso"\nssh_username = "u"`, ["A checksum must be specified"]],
      [
        `iso_url = "x.iso"\niso_checksum = "foo.iso"\nssh_username = "u"`,
        ["Error parsing checksum: .iso is not a valid checksum ending"],
      ],
      [
        `${iso}\nboot_command = ["<enter>"]\ndisable_vnc = true\nhttp_directory = "d"\nhttp_content = { "/a" = "b" }\nhttp_port_min = 9\nhttp_port_max = 8\nhttp_network_protocol = "udp"`,
        [
          "A boot command cannot be used when vnc is disabled.",
          "http_port_min must be less than http_port_max",
          "http_content cannot be used in conjunction with http_dir. Consider using the file function to load file in memory and serve them with http_content: https://www.packer.io/docs/templates/hcl_templates/functions/file/file",
          "http_network_protocol is invalid. Must be one of: [tcp tcp4 tcp6 unix unixpacket]",
        ],
      ],
      [
        `${iso}\nhttp_interface = "eth0"\nhttp_bind_address = "1.2.3.4"`,
        ["either http_interface or http_bind_address can be specified"],
      ],
    ],
    warnings: [
      [
        `iso_url = "x.iso"\niso_checksum = "none"\nssh_username = "u"\nssh_host_port_min = 3000`,
        [
          "ssh_host_port_min is deprecated and is being replaced by host_port_min. Please, update your template to use host_port_min. In future versions of Packer, inclusion of ssh_host_port_min will error your builds.",
          "A checksum of 'none' was specified. Since ISO files are so big,\na checksum is highly recommended.",
        ],
      ],
    ],
  },
  {
    kind: "provisioner",
    type: "shell",
    valid: `inline = ["echo hi"]`,
    expect: {
      inline: ["echo hi"],
      inline_shebang: "/bin/sh -e",
      remote_folder: "/tmp",
      start_retry_timeout: "5m",
      valid_exit_codes: [0],
      env_var_format: "%s='%s' ",
      execute_command: "chmod +x {{.Path}}; {{.Vars}} {{.Path}}",
      expect_disconnect: false,
    },
    typo: ["inlne", "inline"],
    wrongType: ["valid_exit_codes", `"zero"`, "list of number required"],
    checks: [
      [``, ["Either a script file or inline script must be specified."]],
      [`inline = []`, ["Either a script file or inline script must be specified."]],
      [`script = "a.sh"\nscripts = ["b.sh"]`, ["Only one of script or scripts can be specified."]],
      [
        `inline = ["x"]\nscript = "a.sh"`,
        ["Only a script file or an inline script can be specified, not both."],
      ],
      [
        `inline = ["x"]\nenvironment_vars = ["A=1", "B", "=c"]`,
        [
          "Environment variable not in format 'key=value': B",
          "Environment variable not in format 'key=value': =c",
        ],
      ],
    ],
  },
  {
    kind: "provisioner",
    type: "shell-local",
    valid: `inline = ["echo hi"]`,
    expect: {
      inline: ["echo hi"],
      inline_shebang: "/bin/sh -e",
      execute_command: ["/bin/sh", "-c", "{{.Vars}} {{.Script}}"],
      env_var_format: "%s='%s' ",
    },
    typo: ["comand", "command"],
    wrongType: ["only_on", `"linux"`, "list of string required"],
    checks: [
      [``, ["Command, Inline, Script and Scripts options cannot all be empty."]],
      [
        `command = "x"\nscript = "s.sh"`,
        [
          "You may only specify one of the following options: Command, Inline, Script or Scripts. Please consolidate these options in your config.",
        ],
      ],
      [
        `inline = ["x"]\nonly_on = ["plan9"]`,
        [
          "Invalid OS specified in only_on: 'plan9'\nSupported OS names: darwin, freebsd, linux, openbsd, solaris, windows",
        ],
      ],
      [
        `inline = ["x"]\nuse_linux_pathing = true`,
        [
          "Packer is unable to use the Command and Inline features with the Windows Linux Subsystem. Please use the Script or Scripts options instead",
        ],
      ],
    ],
  },
  {
    kind: "provisioner",
    type: "file",
    valid: `source = "a.txt"\ndestination = "/tmp/a.txt"`,
    expect: { source: "a.txt", destination: "/tmp/a.txt", direction: "upload", generated: false },
    typo: ["destinaton", "destination"],
    required: ["destination"],
    wrongType: ["sources", `"a"`, "list of string required"],
    checks: [
      [
        `source = "a"\ndestination = "/tmp"\ndirection = "sideways"`,
        ["Direction must be one of: download, upload."],
      ],
      [
        `source = "a"\ncontent = "x"\ndestination = "/tmp/a"`,
        ["source(s) conflicts with content."],
      ],
      [`destination = ""\ncontent = "x"`, ["Destination must be specified."]],
    ],
  },
  {
    kind: "provisioner",
    type: "breakpoint",
    valid: `note = "look"`,
    expect: { note: "look", disable: false },
    typo: ["nte", "note"],
    wrongType: ["disable", `"maybe"`, "a bool is required"],
  },
  {
    kind: "post-processor",
    type: "manifest",
    valid: `strip_path = true\ncustom_data = { a = "b" }`,
    expect: {
      output: "packer-manifest.json",
      strip_path: true,
      strip_time: false,
      custom_data: { a: "b" },
    },
    typo: ["outptu", "output"],
    wrongType: ["custom_data", `["a"]`, "map of string required"],
  },
  {
    kind: "post-processor",
    type: "checksum",
    valid: `checksum_types = ["sha256", "sha512"]`,
    expect: {
      checksum_types: ["sha256", "sha512"],
      output: "packer_{{.BuildName}}_{{.BuilderType}}_{{.ChecksumType}}.checksum",
    },
    typo: ["checksum_type", "checksum_types"],
    wrongType: ["checksum_types", `{ a = 1 }`, "list of string required"],
    checks: [
      [
        `checksum_types = ["md5", "sha7", "crc"]`,
        ["Unrecognized checksum type: sha7", "Unrecognized checksum type: crc"],
      ],
    ],
  },
  {
    kind: "post-processor",
    type: "compress",
    valid: `output = "out.tar.gz"\ncompression_level = 12`,
    expect: { output: "out.tar.gz", compression_level: 9 },
    typo: ["formt", "format"],
    wrongType: ["compression_level", `"high"`, "a number is required"],
  },
  {
    kind: "post-processor",
    type: "shell-local",
    valid: `script = "post.sh"`,
    expect: { script: "post.sh", execute_command: ["/bin/sh", "-c", "{{.Vars}} {{.Script}}"] },
    typo: ["scrpt", "script"],
    wrongType: ["inline", `"x"`, "list of string required"],
    checks: [[``, ["Command, Inline, Script and Scripts options cannot all be empty."]]],
  },
  {
    kind: "post-processor",
    type: "artifice",
    valid: `files = ["a.box"]`,
    expect: { files: ["a.box"] },
    typo: ["file", "files"],
    required: ["files"],
    wrongType: ["files", `{}`, "list of string required"],
    checks: [[`files = []`, ["No files specified in artifice configuration"]]],
  },
  {
    kind: "post-processor",
    type: "docker-import",
    valid: `repository = "me/img"\ntag = "1.0"`,
    expect: { repository: "me/img", tag: "1.0" },
    typo: ["repositry", "repository"],
    wrongType: ["changes", `"USER x"`, "list of string required"],
  },
  {
    kind: "post-processor",
    type: "docker-tag",
    valid: `repository = "me/img"\ntag = "latest"\ntags = ["a"]`,
    expect: {
      repository: "me/img",
      tag: ["latest"],
      tags: ["a"],
      force: false,
      docker_path: "docker",
    },
    typo: ["repositry", "repository"],
    wrongType: ["tags", `"a"`, "list of string required"],
  },
  {
    kind: "post-processor",
    type: "docker-push",
    valid: `login = true\nlogin_server = "r.example"`,
    expect: { login: true, ecr_login: false, login_server: "r.example" },
    typo: ["login_pasword", "login_password"],
    wrongType: ["login", `[]`, "bool required"],
    checks: [[`ecr_login = true`, ["ECR login requires login server to be provided."]]],
  },
  {
    kind: "post-processor",
    type: "docker-save",
    valid: `path = "img.tar"`,
    expect: { path: "img.tar" },
    typo: ["pth", "path"],
    wrongType: ["path", `["a"]`, "string required"],
  },
  {
    kind: "datasource",
    type: "null",
    valid: `input = "x"`,
    expect: { input: "x" },
    typo: ["inpt", "input"],
    required: ["input"],
    wrongType: ["input", `{}`, "string required"],
    checks: [[`input = ""`, ["The `input` must be specified"]]],
  },
  {
    kind: "datasource",
    type: "http",
    valid: `url = "https://example.com"\nrequest_headers = { Accept = "text/plain" }`,
    expect: {
      url: "https://example.com",
      method: "GET",
      request_headers: { Accept: "text/plain" },
    },
    typo: ["urll", "url"],
    required: ["url"],
    wrongType: ["request_headers", `["a"]`, "map of string required"],
    checks: [
      [
        `url = ""\nmethod = "FETCH"`,
        [
          "the `url` must be specified",
          "the `method` must be one of [HEAD GET POST PUT DELETE OPTIONS PATCH]",
        ],
      ],
    ],
  },
];

for (const c of cases) {
  const name = `${c.kind} ${c.type}`;

  test(`${name}: a valid block decodes with its defaults`, async () => {
    const r = await decode(c.kind, c.type, c.valid);
    assert.deepEqual(
      r.diags.filter((d) => d.severity === "error"),
      [],
    );
    for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(r.config[k], v, k);
  });

  test(`${name}: an unknown argument is unsupported, with a suggestion`, async () => {
    // HCL suggests only options not set already.
    const r = await decode(c.kind, c.type, `${c.typo[0]} = "x"`);
    const d = r.diags.find((x) => x.summary === "Unsupported argument");
    assert.ok(d, JSON.stringify(r.diags));
    assert.equal(
      d.detail,
      `An argument named "${c.typo[0]}" is not expected here. Did you mean "${c.typo[1]}"?`,
    );
  });

  test(`${name}: required arguments are named when missing`, async () => {
    const r = await decode(c.kind, c.type, "");
    const missing = r.diags
      .filter((d) => d.summary === "Missing required argument")
      .map((d) => d.detail);
    assert.deepEqual(
      missing,
      (c.required ?? []).map(
        (n) => `The argument "${n}" is required, but no definition was found.`,
      ),
    );
  });

  test(`${name}: a wrongly typed value names the type expected`, async () => {
    const [arg, value, want] = c.wrongType;
    const r = await decode(c.kind, c.type, `${arg} = ${value}`);
    const d = r.diags.find((x) => x.summary === "Incorrect attribute value type");
    assert.ok(d, JSON.stringify(r.diags.map((x) => x.summary)));
    assert.equal(d.detail, `Inappropriate value for attribute "${arg}": ${want}.`);
  });

  for (const [i, [src, messages]] of (c.checks ?? []).entries()) {
    test(`${name}: check ${i + 1}`, async () => {
      const r = await decode(c.kind, c.type, src);
      assert.deepEqual(r.checkErrors, messages);
      const errors = r.diags.filter((d) => d.severity === "error");
      if (messages.length === 0) assert.deepEqual(errors, []);
      else {
        assert.equal(errors.length, 1, JSON.stringify(errors));
        assert.deepEqual(errors[0]!.subject, at);
      }
    });
  }

  for (const [i, [src, messages]] of (c.warnings ?? []).entries()) {
    test(`${name}: warning ${i + 1}`, async () => {
      const r = await decode(c.kind, c.type, src);
      assert.deepEqual(
        r.diags.filter((d) => d.severity === "error"),
        [],
      );
      assert.deepEqual(
        r.diags.filter((d) => d.severity === "warning").map((d) => d.summary),
        messages,
      );
    });
  }
}

test("docker: a Windows container gets the Windows defaults", async () => {
  const r = await decode(
    "builder",
    "docker",
    `image = "i"\ncommit = true\nwindows_container = true`,
  );
  assert.deepEqual(r.config.run_command, [
    "-d",
    "-i",
    "-t",
    "--entrypoint=powershell",
    "--",
    "{{.Image}}",
  ]);
  assert.equal(r.config.container_dir, "c:/packer-files");
  assert.equal(r.config.communicator, "dockerWindowsContainer");
});

test("qemu: UEFI firmware implies efi_boot and fills the other file", async () => {
  const r = await decode("builder", "qemu", `${iso}\nefi_firmware_code = "/x/CODE.fd"`);
  assert.equal(r.config.efi_boot, true);
  assert.equal(r.config.efi_firmware_vars, "/usr/share/OVMF/OVMF_VARS.fd");
  const plain = await decode("builder", "qemu", iso);
  assert.equal(plain.config.efi_boot, false);
  assert.equal(plain.config.efi_firmware_code, undefined);
});

test("qemu: a raw disk skips compaction; net_bridge enables QMP; iso_skip_cache needs no checksum", async () => {
  const r = await decode(
    "builder",
    "qemu",
    `iso_url = "x.iso"\nssh_username = "u"\nformat = "raw"\nnet_bridge = "br0"\niso_skip_cache = true`,
  );
  assert.deepEqual(r.checkErrors, []);
  assert.equal(r.config.skip_compaction, true);
  assert.equal(r.config.qmp_enable, true);
  assert.equal(r.config.iso_checksum, "none");
});

test("communicator: ssh_wait_timeout overrides ssh_timeout; a bastion inherits the private key", async () => {
  const r = await decode(
    "builder",
    "null",
    `ssh_host = "h"\nssh_username = "u"\nssh_wait_timeout = "20m"\nssh_private_key_file = "k"\nssh_bastion_host = "b"`,
  );
  assert.equal(r.config.ssh_timeout, "20m");
  assert.equal(r.config.ssh_bastion_private_key_file, "k");
  const h = await decode("builder", "null", `${sshOK}\nssh_handshake_attempts = 3`);
  assert.equal(h.config.ssh_timeout, undefined);
  assert.equal(h.config.ssh_handshake_attempts, 3);
  const w = await decode("builder", "null", `communicator = "winrm"\nwinrm_use_ssl = true`);
  assert.equal(w.config.winrm_port, 5986);
});

test("communicator: passwords and keys are sensitive", async () => {
  const r = await decode(
    "builder",
    "null",
    `${sshOK}\nwinrm_password = "w"\nssh_bastion_password = "b"`,
  );
  assert.deepEqual(r.sensitive.sort(), ["b", "p", "w"]);
});

test("checks skip unknown values: every option unknown is no error", async () => {
  const { componentKinds, componentTypes } = await import("../../src/components/registry.js");
  const { Value } = await import("../../src/hcl/cty/value.js");
  for (const kind of componentKinds) {
    for (const type of componentTypes(kind)) {
      const schema = (await loadSchema(kind, type))!;
      const src = Object.keys(schema.config.fields)
        .map((n) => `${n} = var.u`)
        .join("\n");
      const { file } = parseConfig(src, "t.pkr.hcl");
      const r = decodeHCLConfig(
        file.body,
        schema.config,
        { variables: { var: Value.dynamic } },
        at,
      );
      assert.deepEqual(
        r.diags.filter((d) => d.severity === "error").map((d) => d.summary),
        [],
        `${kind} ${type}`,
      );
    }
  }
});

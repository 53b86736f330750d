// kiln's own version, and the Packer version whose language and behaviour it follows
// (`packer.version` in templates, `required_version` checks).
export const KILN_VERSION = "0.1.0";
export const PACKER_COMPAT_VERSION = "1.9.4";

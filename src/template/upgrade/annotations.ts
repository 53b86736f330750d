// The explanatory comments `hcl2_upgrade -with-annotations` writes: one at
// the top of the file and one before each kind of block, where Packer puts
// its own. The wording is kiln's. Each text starts with a line break and
// ends where the block it introduces begins (see where they are used).

const DOCS = "https://developer.hashicorp.com/packer/docs/templates/hcl_templates";

export const FILE_HEADER = `# Written by 'kiln hcl2_upgrade' from a legacy JSON template. Read it through
# before using it: the translation is mechanical and some parts may need a
# hand. Nothing ties the blocks below to this one file; they can be spread
# over several files (the variables in a 'variables.pkr.hcl', say) as long
# as every file name ends in '.pkr.hcl' and all of them sit in one folder,
# which is then what you build. 'kiln inspect FOLDER' shows what it holds.

# Go template calls (like {{ upper \`text\` }}) and HCL2 expressions (like
# \${ var.name }) are evaluated at different times; a string that mixes the
# two will not do what it seems to.
`;

export const PACKER_HEADER = `
# The packer block pins the Packer version and the plugins this build needs:
# ${DOCS}/blocks/packer
`;

export const VARIABLES_HEADER = `
# Input variables. JSON templates only know strings, so each one is typed
# 'string' here; a more precise type can be set by hand, see
# ${DOCS}/variables#type-constraints`;

export const SECRETS_HEADER = `
# Each aws_secretsmanager call became an amazon-secretsmanager data source,
# read once per build and referenced as data.amazon-secretsmanager.NAME.value:
# ${DOCS}/blocks/data
# https://developer.hashicorp.com/packer/integrations/hashicorp/amazon/latest/components/data-source/secretsmanager`;

export const AMI_HEADER = `
# Each source_ami_filter of an amazon builder became an amazon-ami data
# source; its id is the source_ami of the builder it came from:
# ${DOCS}/blocks/data
# https://developer.hashicorp.com/packer/integrations/hashicorp/amazon/latest/components/data-source/ami`;

export const TIMESTAMP_NOTE = `# Stands in for the {{timestamp}} template function.`;

export const LOCALS_HEADER = `
# Variables whose default calls a function or uses another variable cannot be
# input variables in HCL2; they became locals:
# ${DOCS}/blocks/locals`;

export const SOURCES_HEADER = `
# One source block per builder of the JSON template. The build block below
# names the sources it runs:
# ${DOCS}/blocks/source`;

export const BUILD_HEADER = `
# The build block runs the provisioners and post-processors on its sources:
# ${DOCS}/blocks/build
`;

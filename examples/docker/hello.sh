#!/bin/sh
# Baked into the example image as its entrypoint: prints the greeting and what built it.
echo "${GREETING:-hello}"
cat /srv/hello/build-info

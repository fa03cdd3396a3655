/* The hvfuzz version: printed by --version and recorded in every finding. */
#ifndef HVFUZZ_VERSION_H
#define HVFUZZ_VERSION_H

#ifndef HVFUZZ_VERSION
#define HVFUZZ_VERSION "0.1.0"
#endif

#endif

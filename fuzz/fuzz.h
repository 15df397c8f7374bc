/**
 * @file fuzz/fuzz.h  What the libFuzzer harnesses share
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Each harness is one program that libFuzzer calls once per input, in one
 * process: state made in LLVMFuzzerInitialize() (libre, a store in
 * memory, an ACD) lives for the whole run, so that an input reaches the
 * code as a request to a running server would.
 *
 * Include after <re.h>, common/log.h, config.h and store/store.h.
 */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Staff member u1's extension and SIP password */
#define FUZZ_EXT "1001"
#define FUZZ_PASSWORD "fuzz-secret"

/* A server's state as lianluod sets it up, on an in-memory store. */
struct fuzz_server {
	struct config cfg;
	struct store *st;
	struct acd *acd;
	struct store_app app;       /* the one application */
};

void fuzz_init(void);
int  fuzz_server_init(struct fuzz_server *fs);
struct api;
int  fuzz_api_init(struct fuzz_server *fs, struct api **apip);
const char *fuzz_file_write(const uint8_t *data, size_t size);

/*
 * fuzz.h: helpers shared by the libFuzzer targets in fuzz/.
 *
 * Every target defines LLVMFuzzerTestOneInput() and is built two ways:
 * with clang -fsanitize=fuzzer (configure --enable-fuzz, make fuzz), and
 * with any compiler against standalone.c, a main() that runs the target
 * once over each file named on the command line, so that the seed corpus
 * and every crash input kept in fuzz/regress/ are replayed by make check
 * (and under valgrind and the sanitizers) in the ordinary build.
 *
 * The library reads sources by path (input_open), so a target hands it the
 * fuzzer's bytes through an anonymous memory file, named /dev/fd/N.
 */
#ifndef CEB_FUZZ_H
#define CEB_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * Put size bytes of data in a fresh memory file positioned at its start
 * and write its /dev/fd path into path (32 bytes).  Returns the descriptor
 * (close it when done); aborts when the system refuses, since a target
 * that cannot feed its input proves nothing.
 */
int fuzz_memfile(const uint8_t *data, size_t size, char *path, size_t n);

/* Quiet libxml2's generic error handlers (the library uses its own). */
void fuzz_quiet_libxml(void);

/* A check that failed: print it and abort, so the fuzzer keeps the input. */
#define FUZZ_ASSERT(cond) do { if (!(cond)) fuzz_fail(__FILE__, \
	__LINE__, #cond); } while (0)
void fuzz_fail(const char *file, int line, const char *what)
    __attribute__((noreturn));

#endif

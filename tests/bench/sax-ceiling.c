/*
 * sax-ceiling: the bare-parse ceiling of `make bench` (tests/bench.sh).
 * Parses each FILE with libxml2's SAX2 parser and no callbacks at all --
 * no tree, no validation, nothing done with an event -- reading it as
 * ceb-cat reads a file (read(2) in chunks), with the settings ceb-cat
 * parses with (no network, no entity substitution).  What this costs is
 * what libxml2 alone costs on those bytes: a reader of the same bytes
 * cannot be faster than it.
 *
 *   sax-ceiling FILE...
 *
 * Prints "bytes N" (the bytes parsed); exit status 0 when every file is
 * well-formed, 1 when one is not, 2 on trouble.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

int
main(int argc, char *argv[])
{
	static xmlSAXHandler none;	/* every callback NULL */
	xmlParserCtxtPtr c;
	unsigned long long bytes = 0;
	struct stat st;
	int i, fd, rc = 0;

	if (argc < 2) {
		fputs("usage: sax-ceiling FILE...\n", stderr);
		return 2;
	}
	xmlInitParser();
	none.initialized = XML_SAX2_MAGIC;
	if ((c = xmlNewParserCtxt()) == NULL)
		return 2;
	memcpy(c->sax, &none, sizeof none);
	for (i = 1; i < argc; i++) {
		if ((fd = open(argv[i], O_RDONLY)) < 0 || fstat(fd, &st) != 0) {
			perror(argv[i]);
			return 2;
		}
		/* xmlCtxtReadFd() does not close fd. */
		(void)xmlCtxtReadFd(c, fd, argv[i], NULL, XML_PARSE_NONET |
		    XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE);
		if (!c->wellFormed || !c->nsWellFormed) {
			fprintf(stderr, "%s: not well-formed\n", argv[i]);
			rc = 1;
		}
		bytes += (unsigned long long)st.st_size;
		close(fd);
	}
	xmlFreeParserCtxt(c);
	printf("bytes %llu\n", bytes);
	return rc;
}

/*
 * msg.h: the CEB message model.  One table describes every message type of
 * the 2022 edition (and the 2018 edition where it differs): its code, root
 * element, Chinese name, direction, the business-record element and its
 * head and list elements, and the fields that make up a record's business
 * key.  On top of a parsed tree it iterates records and lines and reads
 * fields by local element name; amounts are read as exact decimals
 * (dec.h), never as binary floating point.
 *
 * Elements are matched by namespace URI and local name, never by prefix.
 * Library code: nothing here prints or exits.
 */
#ifndef CEB_MSG_H
#define CEB_MSG_H

#include <stddef.h>
#include <libxml/tree.h>

#include "dec.h"

#define MSG_NS_CEB "http://www.chinaport.gov.cn/ceb"
#define MSG_NS_DXP "http://www.chinaport.gov.cn/dxp"
#define MSG_NS_DS "http://www.w3.org/2000/09/xmldsig#"

enum msg_dir { MSG_IMPORT = 'I', MSG_EXPORT = 'E' };

enum msg_kind {
	MSG_DECLARATION,	/* sent by an enterprise, has BaseTransfer */
	MSG_RECEIPT,		/* a receipt to a declaration */
	MSG_CUSTOMS		/* issued by customs (tax bill, result) */
};

#define MSG_ED_2018 1u
#define MSG_ED_2022 2u

struct msg_type {
	int code;		/* 311 */
	const char *root;	/* "CEB311Message" */
	const char *name_zh;	/* "电子订单" */
	const char *name_en;	/* "import order" */
	enum msg_dir dir;
	enum msg_kind kind;
	const char *record;	/* business record element: "Order" */
	const char *head;	/* head element, NULL when the record is flat */
	const char *list;	/* line element, NULL when there are none */
	const char *keys[3];	/* business key fields, read from the head */
	int max_records;	/* XSD maxOccurs of the record, 0 = unbounded */
	int max_lines;		/* XSD maxOccurs of the line, 0 = unbounded */
	int sig_min;		/* XSD minOccurs of ds:Signature (-1: none) */
	unsigned editions;	/* MSG_ED_* */
	int receipt;		/* code of the receipt type, 0 if none */
};

extern const struct msg_type msg_types[];
extern const size_t msg_ntypes;

const struct msg_type *msg_type_by_root(const char *root);
const struct msg_type *msg_type_by_code(int code);

/*
 * Parse a list of type codes ("311,621" or "CEB311Message,621") into a set
 * (set[i] nonzero for msg_types[i] selected).  Returns 0, or -1 with the
 * offending item copied to bad.
 */
int msg_type_set(const char *list, unsigned char *set, char *bad, size_t n);

/* What msg_open() found at the root of a document. */
enum msg_status {
	MSG_OK = 0,
	MSG_NOT_CEB,		/* the root is not a CEBnnnMessage at all */
	MSG_BAD_NS,		/* a CEB root name in the wrong namespace */
	MSG_UNKNOWN,		/* a CEBnnnMessage root we do not know */
	MSG_ENVELOPE		/* a DxpMsg or DxpMsgSv transport envelope */
};

/* A parsed message. */
struct msg {
	const struct msg_type *type;	/* NULL unless MSG_OK */
	xmlDocPtr doc;
	xmlNodePtr root;
	const char *guid;		/* root guid attribute, "" if none */
	long line_base;			/* source line of the document start */
	int flat;			/* every node is on line_base */
	/*
	 * For a part of a delivered message, its records' numbers and lines
	 * there (origin.h, records); NULL for a whole message.  Set by
	 * stream_msg_open() from the document's origin, or by the caller.
	 */
	const char *records;
};

/*
 * Look at the root of doc and fill m.  line_base is the source line where
 * the document starts (node line numbers are relative to it).  Returns a
 * msg_status; m->type is set only for MSG_OK.
 */
enum msg_status msg_open(struct msg *m, xmlDocPtr doc, long line_base);

/* Records of the message, in document order. */
xmlNodePtr msg_record_first(const struct msg *m);
xmlNodePtr msg_record_next(const struct msg *m, xmlNodePtr rec);
int msg_record_count(const struct msg *m);

/*
 * The same count without a tree: feed msg_count_element() every start tag
 * of one document, in order (depth 1 is the root, as stream_opts'
 * on_element reports them); afterwards type is the message type (NULL
 * when msg_open() would not return MSG_OK) and records its record count.
 */
struct msg_count {
	const struct msg_type *type;
	long records;
};
void msg_count_element(struct msg_count *mc, int depth, const char *local,
    const char *uri);

/* The node holding a record's head fields (the head, or the record). */
xmlNodePtr msg_head(const struct msg *m, xmlNodePtr rec);

/* Lines of a record, in document order (NULL when the type has none). */
xmlNodePtr msg_line_first(const struct msg *m, xmlNodePtr rec);
xmlNodePtr msg_line_next(const struct msg *m, xmlNodePtr line);

/* First child element of parent in namespace ns with local name name. */
xmlNodePtr msg_child(xmlNodePtr parent, const char *ns, const char *name);
/* Next sibling element of node with the same namespace and name. */
xmlNodePtr msg_next_same(xmlNodePtr node);

/*
 * Text of the CEB child element name of parent: NULL when the element is
 * absent, "" when it is empty.  The pointer stays valid as long as the
 * tree.  Surrounding whitespace is kept (the XSD decides what it means).
 */
const char *msg_field(xmlNodePtr parent, const char *name);

/*
 * Read the decimal field name of parent.  Returns 0 and sets *out, 1 when
 * the field is absent or empty, -1 when it is not a decimal number.
 */
int msg_decimal(xmlNodePtr parent, const char *name, struct dec *out);
/* The same for a field's text s (NULL: absent), read without a tree. */
int msg_decimal_text(const char *s, struct dec *out);

/*
 * The business key of a record: its key fields joined with '/', e.g.
 * "NBBH2016/005".  Missing fields are written as "-".  Returns buf.
 */
char *msg_key(const struct msg *m, xmlNodePtr rec, char *buf, size_t n);

/*
 * Source line of node: line_base + node line - 1; line_base when flat.
 * In a part of a message (m->records), a node of a record is counted from
 * the line that record starts on in the delivered file (its line there
 * when flat).
 */
long msg_line(const struct msg *m, xmlNodePtr node);

/*
 * The number, in the delivered message, of the i-th record (1-based) of
 * m: i for a whole message, what m->records says for a part (i when it
 * says nothing of that record).
 */
long msg_record_no(const struct msg *m, long i);

/* "CEB311" for a type. */
const char *msg_short(const struct msg_type *t, char *buf, size_t n);

#endif

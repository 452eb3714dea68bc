/*
 * msg.c: the message-type table and record/field access.
 *
 * The table is transcribed from the 2022 message specification (and its
 * XSDs for the structural numbers); see ceb-spec-notes §1 and §3 in the
 * reference material.  Business keys follow the spec's key notes: orders
 * by platform and order number, payments by payment company and
 * transaction, waybills by carrier and waybill number, inventories and
 * other enterprise documents by declaring agent (or operator) and the
 * enterprise's own number copNo.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "origin.h"

#define B (MSG_ED_2018 | MSG_ED_2022)
#define N MSG_ED_2022
#define I MSG_IMPORT
#define E MSG_EXPORT
#define D MSG_DECLARATION
#define R MSG_RECEIPT
#define C MSG_CUSTOMS

const struct msg_type msg_types[] = {
	/* import */
	{ 311, "CEB311Message", "电子订单", "import order", I, D,
	  "Order", "OrderHead", "OrderList", { "ebpCode", "orderNo" },
	  100, 99, 0, B, 312 },
	{ 312, "CEB312Message", "电子订单回执", "import order receipt", I, R,
	  "OrderReturn", NULL, NULL, { "ebpCode", "orderNo" },
	  100, 0, -1, B, 0 },
	{ 411, "CEB411Message", "支付单", "payment", I, D,
	  "Payment", "PaymentHead", NULL, { "payCode", "payTransactionId" },
	  100, 0, 0, B, 412 },
	{ 412, "CEB412Message", "支付单回执", "payment receipt", I, R,
	  "PaymentReturn", NULL, NULL, { "payCode", "payTransactionId" },
	  100, 0, -1, B, 0 },
	{ 511, "CEB511Message", "物流运单", "import waybill", I, D,
	  "Logistics", "LogisticsHead", NULL, { "logisticsCode", "logisticsNo" },
	  100, 0, 0, B, 512 },
	{ 512, "CEB512Message", "运单回执", "import waybill receipt", I, R,
	  "LogisticsReturn", NULL, NULL, { "logisticsCode", "logisticsNo" },
	  100, 0, -1, B, 0 },
	{ 513, "CEB513Message", "运单状态", "waybill status", I, D,
	  "LogisticsStatus", NULL, NULL, { "logisticsCode", "logisticsNo" },
	  100, 0, 0, B, 514 },
	{ 514, "CEB514Message", "运单状态回执", "waybill status receipt", I, R,
	  "LogisticsStatusReturn", NULL, NULL, { "logisticsCode", "logisticsNo" },
	  100, 0, -1, B, 0 },
	{ 621, "CEB621Message", "进口清单", "import inventory", I, D,
	  "Inventory", "InventoryHead", "InventoryList", { "agentCode", "copNo" },
	  100, 99, 1, B, 622 },
	{ 622, "CEB622Message", "进口清单回执", "import inventory receipt", I, R,
	  "InventoryReturn", NULL, NULL, { "agentCode", "copNo" },
	  100, 0, -1, B, 0 },
	{ 623, "CEB623Message", "撤销申请单", "import inventory cancel", I, D,
	  "InvtCancel", NULL, NULL, { "agentCode", "copNo" },
	  100, 0, 1, B, 624 },
	{ 624, "CEB624Message", "撤销申请单回执", "cancel receipt", I, R,
	  "InvtCancelReturn", NULL, NULL, { "agentCode", "copNo" },
	  100, 0, -1, B, 0 },
	{ 625, "CEB625Message", "退货申请单", "import return request", I, D,
	  "InvtRefund", "InvtRefundHead", "InvtRefundList", { "agentCode", "copNo" },
	  100, 99, 1, B, 626 },
	{ 626, "CEB626Message", "退货申请单回执", "return request receipt", I, R,
	  "InvtRefundReturn", NULL, NULL, { "agentCode", "copNo" },
	  100, 0, -1, B, 0 },
	{ 711, "CEB711Message", "入库明细单", "warehouse entry detail", I, D,
	  "Delivery", "DeliveryHead", "DeliveryList", { "operatorCode", "copNo" },
	  1, 0, 1, B, 712 },
	{ 712, "CEB712Message", "入库明细单回执", "warehouse entry receipt", I, R,
	  "DeliveryReturn", NULL, NULL, { "operatorCode", "copNo" },
	  100, 0, -1, B, 0 },
	{ 816, "CEB816Message", "电子税单", "tax bill", I, C,
	  "Tax", "TaxHeadRd", "TaxListRd", { "invtNo", "taxNo" },
	  0, 99, -1, B, 0 },
	{ 818, "CEB818Message", "电子税单状态", "tax bill status", I, C,
	  "Tax", "TaxHeadStatus", NULL, { "invtNo", "taxNo" },
	  0, 0, -1, B, 0 },
	{ 900, "CEB900Message", "报文格式校验回执", "format check receipt", I, R,
	  "MessageReturn", NULL, NULL, { "oriMessageType", "oriCopMsgId" },
	  1, 0, -1, B, 0 },
	/* export */
	{ 303, "CEB303Message", "出口电子订单", "export order", E, D,
	  "Order", "OrderHead", "OrderList", { "ebpCode", "orderNo" },
	  100, 100, 0, B, 304 },
	{ 304, "CEB304Message", "出口订单回执", "export order receipt", E, R,
	  "OrderReturn", NULL, NULL, { "ebpCode", "orderNo" },
	  100, 0, -1, B, 0 },
	{ 403, "CEB403Message", "收款单", "receipt of payment", E, D,
	  "Receipts", NULL, NULL, { "ebcCode", "orderNo" },
	  100, 0, 0, B, 404 },
	{ 404, "CEB404Message", "收款单回执", "receipt-of-payment receipt", E, R,
	  "ReceiptsReturn", NULL, NULL, { "ebcCode", "orderNo" },
	  100, 0, -1, B, 0 },
	{ 505, "CEB505Message", "出口运单", "export waybill", E, D,
	  "Logistics", NULL, NULL, { "logisticsCode", "logisticsNo" },
	  100, 0, 0, B, 506 },
	{ 506, "CEB506Message", "出口运单回执", "export waybill receipt", E, R,
	  "LogisticsReturn", NULL, NULL, { "logisticsCode", "logisticsNo" },
	  100, 0, -1, B, 0 },
	{ 507, "CEB507Message", "运抵单", "arrival report", E, D,
	  "Arrival", "ArrivalHead", "ArrivalList", { "logisticsCode", "copNo" },
	  100, 0, 0, B, 508 },
	{ 508, "CEB508Message", "运抵单回执", "arrival receipt", E, R,
	  "ArrivalReturn", NULL, NULL, { "logisticsCode", "copNo" },
	  100, 0, -1, B, 0 },
	{ 509, "CEB509Message", "离境单", "departure report", E, D,
	  "Departure", "DepartureHead", "DepartureList", { "logisticsCode", "copNo" },
	  100, 0, 0, B, 510 },
	{ 510, "CEB510Message", "离境单回执", "departure receipt", E, R,
	  "DepartureReturn", NULL, NULL, { "logisticsCode", "copNo" },
	  100, 0, -1, B, 0 },
	{ 603, "CEB603Message", "出口清单", "export inventory", E, D,
	  "Inventory", "InventoryHead", "InventoryList", { "agentCode", "copNo" },
	  100, 100, 0, B, 604 },
	{ 604, "CEB604Message", "出口清单回执", "export inventory receipt", E, R,
	  "InventoryReturn", NULL, NULL, { "agentCode", "copNo" },
	  100, 0, -1, B, 0 },
	{ 605, "CEB605Message", "出口撤销申请单", "export inventory cancel", E, D,
	  "InvtCancel", NULL, NULL, { "agentCode", "copNo" },
	  100, 0, 0, B, 606 },
	{ 606, "CEB606Message", "出口撤销申请单回执", "export cancel receipt", E, R,
	  "InvtCancelReturn", NULL, NULL, { "agentCode", "copNo" },
	  100, 0, -1, B, 0 },
	{ 607, "CEB607Message", "清单总分单", "master/house bill consolidation", E, D,
	  "WayBill", "WayBillHead", "WayBillList", { "agentCode", "copNo" },
	  100, 0, 0, B, 608 },
	{ 608, "CEB608Message", "清单总分单回执", "consolidation receipt", E, R,
	  "WayBillReturn", NULL, NULL, { "agentCode", "copNo" },
	  100, 0, -1, B, 0 },
	{ 213, "CEB213Message", "零售出口退货申请单", "export return request", E, D,
	  "InvtRefund", "InvtRefundHead", "InvtRefundList", { "agentCode", "coElNo" },
	  100, 100, 0, N, 214 },
	{ 214, "CEB214Message", "退货申请单回执", "export return receipt", E, R,
	  "RefundReturn", NULL, NULL, { "agentCode", "coElNo" },
	  100, 0, -1, N, 0 },
	{ 215, "CEB215Message", "出口退运理货明细单", "export return tally", E, D,
	  "InvtRefundDetail", NULL, NULL, { "logisticsCode", "logisticsNo" },
	  100, 0, 0, N, 216 },
	{ 216, "CEB216Message", "理货明细单回执", "return tally receipt", E, R,
	  "InvtRefundDetailReturn", NULL, NULL, { "logisticsCode", "logisticsNo" },
	  100, 0, -1, N, 0 },
	{ 701, "CEB701Message", "汇总申请单", "summary application", E, D,
	  "SummaryApply", "SummaryApplyHead", "SummaryApplyList", { "ebcCode", "copNo" },
	  100, 0, 0, B, 702 },
	{ 702, "CEB702Message", "汇总申请单回执", "summary receipt", E, R,
	  "SummaryReturn", NULL, NULL, { "ebcCode", "copNo" },
	  100, 0, -1, B, 0 },
	{ 792, "CEB792Message", "汇总结果单", "summary result", E, C,
	  "SummaryResult", "SummaryResultHead", "SummaryResultList", { "sumNo", "declSeqNo" },
	  100, 0, -1, B, 0 },
};

const size_t msg_ntypes = sizeof msg_types / sizeof msg_types[0];

#undef B
#undef N
#undef I
#undef E
#undef D
#undef R
#undef C

const struct msg_type *
msg_type_by_root(const char *root)
{
	size_t i;

	/* Every root is "CEB" + 3 digits + "Message". */
	if (root == NULL || strncmp(root, "CEB", 3) != 0)
		return NULL;
	for (i = 0; i < msg_ntypes; i++)
		if (strcmp(msg_types[i].root, root) == 0)
			return &msg_types[i];
	return NULL;
}

const struct msg_type *
msg_type_by_code(int code)
{
	size_t i;

	for (i = 0; i < msg_ntypes; i++)
		if (msg_types[i].code == code)
			return &msg_types[i];
	return NULL;
}

int
msg_type_set(const char *list, unsigned char *set, char *bad, size_t n)
{
	const char *p = list;

	memset(set, 0, msg_ntypes);
	while (*p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char item[64];
		const struct msg_type *t = NULL;

		if (len == 0 || len >= sizeof item) {
			snprintf(bad, n, "%.*s", (int)(len < 60 ? len : 60), p);
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if ((t = msg_type_by_root(item)) == NULL) {
			char *end;
			long code;
			const char *num = item;

			if (strncmp(num, "CEB", 3) == 0)
				num += 3;
			code = strtol(num, &end, 10);
			if (*end == '\0' && end != num)
				t = msg_type_by_code((int)code);
		}
		if (t == NULL) {
			snprintf(bad, n, "%s", item);
			return -1;
		}
		set[t - msg_types] = 1;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int
is_named(xmlNodePtr n, const char *ns, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->name, name) == 0 &&
	    strcmp((const char *)n->ns->href, ns) == 0;
}

xmlNodePtr
msg_child(xmlNodePtr parent, const char *ns, const char *name)
{
	xmlNodePtr c;

	if (parent == NULL)
		return NULL;
	for (c = parent->children; c != NULL; c = c->next)
		if (is_named(c, ns, name))
			return c;
	return NULL;
}

xmlNodePtr
msg_next_same(xmlNodePtr node)
{
	xmlNodePtr c;

	for (c = node->next; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns == node->ns &&
		    strcmp((const char *)c->name, (const char *)node->name) == 0)
			return c;
		else if (c->type == XML_ELEMENT_NODE && c->ns && node->ns &&
		    strcmp((const char *)c->ns->href,
		    (const char *)node->ns->href) == 0 &&
		    strcmp((const char *)c->name, (const char *)node->name) == 0)
			return c;
	return NULL;
}

enum msg_status
msg_open(struct msg *m, xmlDocPtr doc, long line_base)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	const char *name;
	xmlChar *guid;

	memset(m, 0, sizeof *m);
	m->doc = doc;
	m->root = root;
	m->line_base = line_base;
	m->guid = "";
	if (root == NULL)
		return MSG_NOT_CEB;
	name = (const char *)root->name;
	if ((strcmp(name, "DxpMsg") == 0 || strcmp(name, "DxpMsgSv") == 0) &&
	    root->ns && strcmp((const char *)root->ns->href, MSG_NS_DXP) == 0)
		return MSG_ENVELOPE;
	if (strncmp(name, "CEB", 3) != 0 || strlen(name) != 13 ||
	    strcmp(name + 6, "Message") != 0)
		return MSG_NOT_CEB;
	if (root->ns == NULL ||
	    strcmp((const char *)root->ns->href, MSG_NS_CEB) != 0)
		return MSG_BAD_NS;
	if ((m->type = msg_type_by_root(name)) == NULL)
		return MSG_UNKNOWN;
	/* The guid attribute is unqualified; keep the tree's copy. */
	for (xmlAttrPtr a = root->properties; a != NULL; a = a->next)
		if (a->ns == NULL && strcmp((const char *)a->name, "guid") == 0 &&
		    a->children && a->children->content) {
			m->guid = (const char *)a->children->content;
			break;
		}
	(void)guid;
	return MSG_OK;
}

xmlNodePtr
msg_record_first(const struct msg *m)
{
	return msg_child(m->root, MSG_NS_CEB, m->type->record);
}

xmlNodePtr
msg_record_next(const struct msg *m, xmlNodePtr rec)
{
	(void)m;
	return msg_next_same(rec);
}

int
msg_record_count(const struct msg *m)
{
	xmlNodePtr r;
	int n = 0;

	for (r = msg_record_first(m); r; r = msg_record_next(m, r))
		n++;
	return n;
}

void
msg_count_element(struct msg_count *mc, int depth, const char *local,
    const char *uri)
{
	if (depth == 1) {
		mc->records = 0;
		mc->type = NULL;
		/* The checks of msg_open(), on the root's names alone. */
		if (strncmp(local, "CEB", 3) == 0 && strlen(local) == 13 &&
		    strcmp(local + 6, "Message") == 0 && uri != NULL &&
		    strcmp(uri, MSG_NS_CEB) == 0)
			mc->type = msg_type_by_root(local);
	} else if (depth == 2 && mc->type != NULL && uri != NULL &&
	    strcmp(local, mc->type->record) == 0 &&
	    strcmp(uri, MSG_NS_CEB) == 0)
		mc->records++;
}

xmlNodePtr
msg_head(const struct msg *m, xmlNodePtr rec)
{
	if (m->type->head == NULL)
		return rec;
	return msg_child(rec, MSG_NS_CEB, m->type->head);
}

xmlNodePtr
msg_line_first(const struct msg *m, xmlNodePtr rec)
{
	if (m->type->list == NULL)
		return NULL;
	return msg_child(rec, MSG_NS_CEB, m->type->list);
}

xmlNodePtr
msg_line_next(const struct msg *m, xmlNodePtr line)
{
	(void)m;
	return msg_next_same(line);
}

const char *
msg_field(xmlNodePtr parent, const char *name)
{
	xmlNodePtr e = msg_child(parent, MSG_NS_CEB, name), c;

	if (e == NULL)
		return NULL;
	c = e->children;
	if (c == NULL)
		return "";
	if (c->next == NULL && (c->type == XML_TEXT_NODE ||
	    c->type == XML_CDATA_SECTION_NODE))
		return c->content ? (const char *)c->content : "";
	/*
	 * Mixed children (comments between text runs): flatten them once
	 * into one text node so the returned pointer lives with the tree.
	 */
	{
		xmlChar *all = xmlNodeGetContent(e);
		xmlNodePtr t;

		if (all == NULL)
			return "";
		while (e->children) {
			t = e->children;
			xmlUnlinkNode(t);
			xmlFreeNode(t);
		}
		t = xmlNewDocText(e->doc, all);
		xmlFree(all);
		if (t == NULL)
			return "";
		xmlAddChild(e, t);
		return (const char *)t->content;
	}
}

int
msg_decimal_text(const char *s, struct dec *out)
{
	enum dec_err r;

	if (s == NULL)
		return 1;
	r = dec_parse_str(s, out);
	if (r == DEC_EMPTY)
		return 1;
	return r == DEC_OK ? 0 : -1;
}

int
msg_decimal(xmlNodePtr parent, const char *name, struct dec *out)
{
	return msg_decimal_text(msg_field(parent, name), out);
}

char *
msg_key(const struct msg *m, xmlNodePtr rec, char *buf, size_t n)
{
	xmlNodePtr h = msg_head(m, rec);
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < 3 && m->type->keys[i]; i++) {
		const char *v = h ? msg_field(h, m->type->keys[i]) : NULL;
		int w;

		if (v == NULL || *v == '\0')
			v = "-";
		w = snprintf(buf + used, used < n ? n - used : 0, "%s%s",
		    i ? "/" : "", v);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

long
msg_line(const struct msg *m, xmlNodePtr node)
{
	long l = node && !m->flat ? xmlGetLineNo(node) : 0;

	if (m->records != NULL && node != NULL && m->type != NULL) {
		/* The record node is under: its index among the records. */
		xmlNodePtr rec = node, r;
		long i = 1, idx, line, rl;

		while (rec->parent != NULL && rec->parent != m->root)
			rec = rec->parent;
		if (rec->parent == m->root && rec->type == XML_ELEMENT_NODE &&
		    xmlStrEqual(rec->name, BAD_CAST m->type->record)) {
			for (r = msg_record_first(m); r && r != rec;
			    r = msg_record_next(m, r))
				i++;
			if (r == rec &&
			    origin_record(m->records, i, &idx, &line) == 0) {
				rl = m->flat ? 0 : xmlGetLineNo(rec);
				return l > 0 && rl > 0 && l >= rl ?
				    line + (l - rl) : line;
			}
		}
	}
	return l > 0 ? m->line_base + l - 1 : m->line_base;
}

long
msg_record_no(const struct msg *m, long i)
{
	long idx, line;

	if (m->records != NULL && origin_record(m->records, i, &idx,
	    &line) == 0)
		return idx;
	return i;
}

const char *
msg_short(const struct msg_type *t, char *buf, size_t n)
{
	snprintf(buf, n, "CEB%03d", t->code);
	return buf;
}

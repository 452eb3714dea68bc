/*
 * gen-data.c: the tables ceb-gen draws realistic values from, and the
 * small functions that turn them into names, addresses, ID numbers and
 * enterprise codes.  Each table names its source.  Codes are real (they
 * must pass the validator's code tables); names of enterprises, brands and
 * vessels are invented so that no batch names a real company.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "gen.h"
#include "ident.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Administrative divisions: a selection of county-level (and one
 * prefecture-level) codes with their province and city names.  Source:
 * National Bureau of Statistics 统计用区划代码, 2023 edition, as listed in
 * reference/code-tables/admin_division.csv (MODOOD).
 */
const struct gen_area gen_areas[] = {
	{ "110105", "北京市", "北京市", "朝阳区" },
	{ "110108", "北京市", "北京市", "海淀区" },
	{ "310115", "上海市", "上海市", "浦东新区" },
	{ "310104", "上海市", "上海市", "徐汇区" },
	{ "440106", "广东省", "广州市", "天河区" },
	{ "440305", "广东省", "深圳市", "南山区" },
	{ "330106", "浙江省", "杭州市", "西湖区" },
	{ "320102", "江苏省", "南京市", "玄武区" },
	{ "510107", "四川省", "成都市", "武侯区" },
	{ "420106", "湖北省", "武汉市", "武昌区" },
	{ "610113", "陕西省", "西安市", "雁塔区" },
	{ "500103", "重庆市", "重庆市", "渝中区" },
	{ "120101", "天津市", "天津市", "和平区" },
	{ "320505", "江苏省", "苏州市", "虎丘区" },
	{ "410105", "河南省", "郑州市", "金水区" },
	{ "430104", "湖南省", "长沙市", "岳麓区" },
	{ "370202", "山东省", "青岛市", "市南区" },
	{ "350203", "福建省", "厦门市", "思明区" },
	{ "210102", "辽宁省", "沈阳市", "和平区" },
	{ "230103", "黑龙江省", "哈尔滨市", "南岗区" },
	{ "530102", "云南省", "昆明市", "五华区" },
	{ "350102", "福建省", "福州市", "鼓楼区" },
	{ "340104", "安徽省", "合肥市", "蜀山区" },
	{ "370102", "山东省", "济南市", "历下区" },
	{ "330212", "浙江省", "宁波市", "鄞州区" },
	{ "210202", "辽宁省", "大连市", "中山区" },
	{ "130102", "河北省", "石家庄市", "长安区" },
	{ "450103", "广西壮族自治区", "南宁市", "青秀区" },
	{ "360102", "江西省", "南昌市", "东湖区" },
	{ "520102", "贵州省", "贵阳市", "南明区" },
	{ "140105", "山西省", "太原市", "小店区" },
	{ "460106", "海南省", "海口市", "龙华区" },
	{ "620102", "甘肃省", "兰州市", "城关区" },
	{ "650102", "新疆维吾尔自治区", "乌鲁木齐市", "天山区" },
	{ "150102", "内蒙古自治区", "呼和浩特市", "新城区" },
	{ "220102", "吉林省", "长春市", "南关区" },
	{ "640104", "宁夏回族自治区", "银川市", "兴庆区" },
	{ "630102", "青海省", "西宁市", "城东区" },
	{ "540102", "西藏自治区", "拉萨市", "城关区" },
	{ "441900", "广东省", "东莞市", "" },
	{ "440604", "广东省", "佛山市", "禅城区" },
	{ "330302", "浙江省", "温州市", "鹿城区" },
	{ "320214", "江苏省", "无锡市", "新吴区" },
	{ "440402", "广东省", "珠海市", "香洲区" },
};
const size_t gen_nareas = N(gen_areas);

/*
 * The hundred most frequent surnames (Ministry of Public Security,
 * 2020 household-registration statistics, as widely republished).
 */
const char *const gen_surnames[] = {
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
	"徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高",
	"郑", "梁", "谢", "宋", "唐", "许", "韩", "邓", "冯", "曹",
	"彭", "曾", "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余",
	"于", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "卢",
	"姚", "沈", "钟", "姜", "崔", "谭", "陆", "范", "汪", "廖",
	"石", "金", "韦", "贾", "夏", "付", "方", "邹", "熊", "白",
	"孟", "秦", "邱", "侯", "江", "尹", "薛", "闫", "段", "雷",
	"龙", "黎", "史", "陶", "贺", "毛", "郝", "顾", "龚", "邵",
	"万", "覃", "武", "钱", "戴", "严", "莫", "孔", "向", "常",
};
const size_t gen_nsurnames = N(gen_surnames);

/* Common characters of given names (our own selection). */
const char *const gen_given[] = {
	"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
	"勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
	"刚", "桂", "英", "华", "玉", "萍", "红", "鹏", "辉", "玲",
	"丹", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "婷",
	"雪", "琳", "晨", "欣", "怡", "佳", "悦", "思", "雨", "子",
	"梓", "涵", "轩", "博", "文", "昊", "然", "嘉", "一", "诺",
};
const size_t gen_ngiven = N(gen_given);

/* Street names found in most Chinese cities (our own selection). */
const char *const gen_streets[] = {
	"人民路", "解放路", "中山路", "建设路", "和平路", "新华路",
	"长江路", "黄河路", "文化路", "胜利路", "朝阳路", "青年路",
	"科技路", "学府路", "滨江大道", "世纪大道",
};
const size_t gen_nstreets = N(gen_streets);

/*
 * Goods.  hs8 and the legal units unit1/unit2 are from the customs
 * statistics 2023 commodity list (reference/code-tables/hs8_units_2023.csv,
 * STATS); unit codes from unit.csv (CESP): 001 台, 006 套, 007 个, 008 只,
 * 011 件, 015 条, 016 把, 019 副, 025 双, 035 千克, 095 升, 122 罐, 125 包,
 * 140 盒, 142 瓶.  The gcode written is hs8 + "00".  Names, price ranges,
 * weights and brands are ours.  dup_unit: the declared unit is the first
 * legal unit, so qty1 = qty.
 */
const struct gen_product gen_products[] = {
	{ "19011010", "婴幼儿配方奶粉", "122", "035", NULL, 180, 450, 800,
	  "609 601 304 309 305", "Kiwi Dairy|Alpen Milch|Oz Farm|Nord Milk", 0 },
	{ "04022100", "全脂奶粉", "035", "035", NULL, 60, 160, 1000,
	  "609 601", "Kiwi Dairy|Oz Farm", 1 },
	{ "33049900", "护肤精华液", "142", "035", "011", 120, 1200, 50,
	  "116 133 305 502", "Sakura Lab|Seoul Skin|Maison Rose|Blue Coast", 0 },
	{ "33049100", "粉饼", "140", "035", "011", 150, 500, 12,
	  "116 305", "Sakura Lab|Maison Rose", 0 },
	{ "33041000", "口红", "011", "035", "011", 150, 400, 4,
	  "305 116 133 502", "Maison Rose|Seoul Skin|Blue Coast", 0 },
	{ "33051000", "洗发水", "142", "035", NULL, 40, 160, 500,
	  "116 133 601", "Sakura Lab|Seoul Skin|Oz Farm", 0 },
	{ "33030000", "香水", "142", "035", "011", 300, 1500, 100,
	  "305 307 502", "Maison Rose|Villa Rossa|Blue Coast", 0 },
	{ "33061010", "牙膏", "011", "035", NULL, 20, 80, 120,
	  "116 133 502", "Sakura Lab|Seoul Skin|Blue Coast", 0 },
	{ "21069090", "膳食营养补充剂", "142", "035", NULL, 80, 400, 200,
	  "601 502 609", "Oz Farm|Blue Coast|Kiwi Dairy", 0 },
	{ "96032100", "牙刷", "016", "016", "035", 15, 60, 20,
	  "116 304", "Sakura Lab|Alpen Milch", 1 },
	{ "96190011", "婴儿纸尿裤", "125", "035", NULL, 80, 200, 2500,
	  "116 133", "Sakura Lab|Seoul Skin", 0 },
	{ "85101000", "电动剃须刀", "007", "007", "035", 300, 2000, 400,
	  "309 116 304", "Alpen Milch|Sakura Lab", 1 },
	{ "61091000", "棉制T恤衫", "011", "011", "035", 60, 400, 200,
	  "502 303 116", "Blue Coast|Thames Row|Sakura Lab", 1 },
	{ "64039900", "皮面运动鞋", "025", "035", "025", 400, 2000, 900,
	  "307 312 502", "Villa Rossa|Blue Coast", 0 },
	{ "42022200", "手提包", "007", "035", "007", 300, 4000, 700,
	  "307 305 502", "Villa Rossa|Maison Rose", 0 },
	{ "91021100", "电子手表", "008", "008", "035", 500, 4500, 80,
	  "331 116 502", "Alpen Milch|Sakura Lab|Blue Coast", 1 },
	{ "22042100", "葡萄酒", "142", "095", "035", 80, 900, 1300,
	  "305 307 601", "Villa Rossa|Maison Rose|Oz Farm", 0 },
	{ "18063200", "巧克力", "140", "035", NULL, 40, 200, 300,
	  "305 304 331", "Alpen Milch|Maison Rose", 0 },
	{ "17049000", "糖果", "140", "035", NULL, 20, 100, 200,
	  "116 133", "Sakura Lab|Seoul Skin", 0 },
	{ "95030089", "益智玩具", "007", "007", "035", 50, 800, 500,
	  "116 502 304", "Sakura Lab|Blue Coast|Alpen Milch", 1 },
	{ "39241000", "儿童餐具", "006", "035", NULL, 50, 300, 300,
	  "116 133", "Sakura Lab|Seoul Skin", 0 },
	{ "34011100", "香皂", "007", "035", NULL, 10, 60, 100,
	  "116 305", "Sakura Lab|Maison Rose", 0 },
	{ "85163200", "电吹风", "007", "007", "035", 300, 3000, 600,
	  "116 502", "Sakura Lab|Blue Coast", 1 },
	{ "90049090", "太阳镜", "019", "035", "019", 300, 2500, 50,
	  "307 502", "Villa Rossa|Blue Coast", 0 },
	{ "33072000", "止汗露", "142", "035", NULL, 30, 120, 80,
	  "502 303", "Blue Coast|Thames Row", 0 },
	{ "04090000", "天然蜂蜜", "142", "035", NULL, 100, 600, 500,
	  "609 601", "Kiwi Dairy|Oz Farm", 0 },
	{ "09012100", "烘焙咖啡豆", "125", "035", NULL, 60, 250, 500,
	  "307 502", "Villa Rossa|Blue Coast", 0 },
	{ "21011100", "速溶咖啡", "140", "035", NULL, 50, 180, 200,
	  "116 133", "Sakura Lab|Seoul Skin", 0 },
	{ "62046200", "棉制女裤", "015", "015", "035", 200, 1200, 400,
	  "116 133 307", "Sakura Lab|Seoul Skin|Villa Rossa", 1 },
	{ "61102000", "棉制套头衫", "011", "011", "035", 200, 1500, 500,
	  "303 601", "Thames Row|Oz Farm", 1 },
	{ "85183000", "有线耳机", "007", "007", "035", 200, 2500, 150,
	  "116 502 133", "Sakura Lab|Blue Coast|Seoul Skin", 1 },
	{ "85171300", "智能手机", "001", "001", "035", 2000, 4800, 200,
	  "502 133", "Blue Coast|Seoul Skin", 1 },
};
const size_t gen_nproducts = N(gen_products);

/*
 * Customs districts (JGS/T 18, reference/code-tables/customs_district.csv,
 * CESP 2018) used as customsCode/portCode, with the CEB trafMode (JGS-20
 * transport_mode.csv) of each kind of site: bonded import leaves a
 * special zone (Y 保税港区, 7 保税区, Z 出口加工区 list), direct import and
 * export arrive or leave by air (5) or sea (2).
 */
const struct gen_site gen_bonded_sites[] = {
	{ "2249", "2249", "Y", "上海" },	/* 洋山海关（保税） */
	{ "5208", "5208", "7", "广州" },	/* 广州保税区海关 */
	{ "4612", "4612", "Z", "郑州" },	/* 郑州新郑综合保税区 */
	{ "8012", "8012", "Y", "重庆" },	/* 两路寸滩保税港区 */
};
const size_t gen_nbonded_sites = N(gen_bonded_sites);

const struct gen_site gen_direct_sites[] = {
	{ "2244", "2233", "5", "上海" },	/* 上海快件 / 浦东机场 */
	{ "5141", "5141", "5", "广州" },	/* 广州机场 */
	{ "0101", "0101", "5", "北京" },	/* 京机场关 */
	{ "4604", "4604", "5", "郑州" },	/* 郑州机办 */
};
const size_t gen_ndirect_sites = N(gen_direct_sites);

/*
 * Offices of the 2018-12 code list, absent from the 2018-04 table, seen in
 * real messages (reference code-tables README): 2924 金义综合保税区
 * (bonded import) and 4722 武汉东湖综合保税区口岸作业区 (a Wuhan CEB621 of
 * 2019 with customsCode and portCode 4722).  Used with --sender-shapes.
 */
const struct gen_site gen_bonded_site_2018b = { "2924", "2924", "Z", "金华" };
const struct gen_site gen_direct_site_2018b = { "4722", "4722", "5", "武汉" };

const struct gen_site gen_export_sites[] = {
	{ "2244", "2233", "5", "上海" },	/* air, 浦东机场 */
	{ "5141", "5141", "5", "广州" },	/* air, 广州机场 */
	{ "2225", "2225", "2", "上海" },	/* sea, 外港海关 */
	{ "3101", "3101", "2", "宁波" },	/* sea, 宁波海关 */
};
const size_t gen_nexport_sites = N(gen_export_sites);

/*
 * Export destinations: country (country.csv, STATS/CESP), port of
 * destination (legacy 4-digit port code, port_legacy.csv, CESP; 132 is
 * the country-level code for Singapore) and the IATA airport for routes.
 */
const struct gen_dest gen_dests[] = {
	{ "502", "3154", "LAX" },	/* 美国 洛杉矶 */
	{ "303", "1974", "LHR" },	/* 英国 伦敦 */
	{ "304", "2110", "HAM" },	/* 德国 汉堡 */
	{ "601", "3266", "SYD" },	/* 澳大利亚 悉尼 */
	{ "116", "1331", "NRT" },	/* 日本 东京 */
	{ "133", "1480", "PUS" },	/* 韩国 釜山 */
	{ "132", "1477", "SIN" },	/* 新加坡 */
	{ "305", "2176", "CDG" },	/* 法国 巴黎 */
	{ "309", "2309", "AMS" },	/* 荷兰 鹿特丹 */
};
const size_t gen_ndests = N(gen_dests);

/* Airlines: IATA codes and AWB prefixes as published by IATA. */
const struct gen_carrier gen_airlines[] = {
	{ "CA", "999", "中国国际航空" },
	{ "MU", "781", "中国东方航空" },
	{ "CZ", "784", "中国南方航空" },
	{ "CK", "112", "中国货运航空" },
};
const size_t gen_nairlines = N(gen_airlines);

/* Invented vessel names. */
const char *const gen_vessels[] = {
	"EAST HARMONY", "PEARL RIVER STAR", "SILK ROAD PIONEER",
	"JADE OCEAN", "GOLDEN BRIDGE",
};
const size_t gen_nvessels = N(gen_vessels);

/* Words for invented enterprise names. */
const char *const gen_name_words[] = {
	"环球", "优选", "海购", "丝路", "云仓", "速达", "汇通", "嘉禾",
	"远航", "星河", "鼎信", "启航", "恒信", "四海", "万邦", "联众",
};
const size_t gen_nname_words = N(gen_name_words);

/*
 * A structurally complete enveloped XML-DSig block with placeholder
 * values: the 2022 import XSD requires ds:Signature in 621, 623 and 625,
 * and the spec asks for it whenever appStatus is 2.  The algorithms are
 * the SM2/SM3 URIs of the 2022 spec; the values are not a signature.
 */
const char gen_signature[] =
    "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">"
    "<ds:SignedInfo>"
    "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>"
    "<ds:SignatureMethod Algorithm=\"http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3\"/>"
    "<ds:Reference URI=\"\"><ds:Transforms>"
    "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>"
    "</ds:Transforms>"
    "<ds:DigestMethod Algorithm=\"http://www.chinaport.gov.cn/2022/04/xmldsig#sm3\"/>"
    "<ds:DigestValue>Q0VCR0VOUExBQ0VIT0xERVJESUdFU1RWQUxVRTAwMDA=</ds:DigestValue>"
    "</ds:Reference></ds:SignedInfo>"
    "<ds:SignatureValue>Q0VCR0VOIFBMQUNFSE9MREVSIFNJR05BVFVSRSBWQUxVRSAtIE5PVCBBIFNJR05BVFVSRQ==</ds:SignatureValue>"
    "<ds:KeyInfo><ds:KeyName>0000000000000000</ds:KeyName>"
    "<ds:X509Data><ds:X509Certificate>Q0VCR0VOIFBMQUNFSE9MREVSIENFUlRJRklDQVRF</ds:X509Certificate></ds:X509Data>"
    "</ds:KeyInfo></ds:Signature>";

static int guid_sender;			/* gen_guid_sender() */
static unsigned long long guid_counter;

void
gen_guid_sender(void)
{
	guid_sender = 1;
}

void
gen_letter_code(struct rng *r, char out[11])
{
	static const char an[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	int i;

	out[0] = 'Z';
	out[1] = 'F';
	for (i = 2; i < 10; i++)
		out[i] = an[rng_below(r, 31)];
	out[10] = '\0';
}

void
gen_guid(struct rng *r, char out[37])
{
	static const char hex[] = "0123456789ABCDEF";
	uint64_t a, b;
	int i, j = 0;

	if (guid_sender) {
		snprintf(out, 37, "%c%cCEB%014llu%017llu",
		    'A' + (int)rng_below(r, 26), 'A' + (int)rng_below(r, 26),
		    (unsigned long long)rng_below(r, 100000000000000ULL),
		    ++guid_counter);
		return;
	}
	a = rng_next(r);
	b = rng_next(r);

	for (i = 0; i < 32; i++) {
		uint64_t w = i < 16 ? a : b;
		int nib = (int)((w >> ((i % 16) * 4)) & 15);

		if (i == 12)
			nib = 4;			/* version 4 */
		if (i == 16)
			nib = 8 | (nib & 3);		/* variant 10xx */
		if (i == 8 || i == 12 || i == 16 || i == 20)
			out[j++] = '-';
		out[j++] = hex[nib];
	}
	out[j] = '\0';
}

void
gen_id_number(struct rng *r, char out[19])
{
	const struct gen_area *a = &gen_areas[rng_below(r, gen_nareas)];
	int y = (int)rng_range(r, 1955, 2005), m = (int)rng_range(r, 1, 12);
	int d = (int)rng_range(r, 1, 28);

	snprintf(out, 19, "%s%04d%02d%02d%03d", a->code, y, m, d,
	    (int)rng_range(r, 1, 999));
	out[17] = (char)ident_gb11643_check(out);
	out[18] = '\0';
}

void
gen_person_name(struct rng *r, char *out, size_t n)
{
	const char *s = gen_surnames[rng_below(r, gen_nsurnames)];
	const char *g1 = gen_given[rng_below(r, gen_ngiven)];
	const char *g2 = rng_permille(r, 650) ?
	    gen_given[rng_below(r, gen_ngiven)] : "";

	snprintf(out, n, "%s%s%s", s, g1, g2);
}

void
gen_phone(struct rng *r, char out[12])
{
	static const char second[] = "35789";

	snprintf(out, 12, "1%c%d%08d", second[rng_below(r, 5)],
	    (int)rng_below(r, 10), (int)rng_below(r, 100000000));
}

void
gen_address(struct rng *r, char *out, size_t n, const char **district)
{
	const struct gen_area *a = &gen_areas[rng_below(r, gen_nareas)];
	int same = strcmp(a->province, a->city) == 0;

	snprintf(out, n, "%s%s%s%s%d号%d栋%d室", same ? "" : a->province,
	    a->city, a->county, gen_streets[rng_below(r, gen_nstreets)],
	    (int)rng_range(r, 1, 999), (int)rng_range(r, 1, 30),
	    (int)rng_range(r, 101, 2808));
	if (district)
		*district = a->code;
}

void
gen_uscc(struct rng *r, char out[19])
{
	const struct gen_area *a = &gen_areas[rng_below(r, gen_nareas)];
	int i;

	out[0] = '9';			/* registered by industry & commerce */
	out[1] = '1';			/* enterprise */
	memcpy(out + 2, a->code, 6);
	for (i = 8; i < 17; i++)
		out[i] = (char)ident_gb32100_char((int)rng_below(r,
		    i == 8 ? 31 : (i < 16 ? 10 : 31)));
	out[17] = (char)ident_gb32100_check(out);
	out[18] = '\0';
}

void
gen_customs_code(struct rng *r, const char *district, char out[11])
{
	static const char tail[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

	snprintf(out, 11, "%.4s%d%04d%c", district, (int)rng_range(r, 1, 9),
	    (int)rng_below(r, 10000), tail[rng_below(r, 31)]);
}

void
gen_enterprise(struct rng *r, struct gen_party *p, const char *suffix,
    const char *district)
{
	const struct gen_area *a = &gen_areas[rng_below(r, gen_nareas)];
	const char *w1 = gen_name_words[rng_below(r, gen_nname_words)];
	const char *w2 = gen_name_words[rng_below(r, gen_nname_words)];

	while (w2 == w1)
		w2 = gen_name_words[rng_below(r, gen_nname_words)];

	if (district != NULL && rng_permille(r, 300))
		gen_customs_code(r, district, p->code);
	else
		gen_uscc(r, p->code);
	snprintf(p->name, sizeof p->name, "%s%s%s%s", a->city, w1, w2, suffix);
	snprintf(p->dxp, sizeof p->dxp, "DXPENT%010llu",
	    (unsigned long long)rng_below(r, 10000000000ULL));
}

void
gen_awb(struct rng *r, const char *prefix, char out[12])
{
	unsigned serial = (unsigned)rng_below(r, 10000000);

	/* IATA: the 8th digit is the 7-digit serial mod 7. */
	snprintf(out, 12, "%s%07u%u", prefix, serial, serial % 7);
}

/* demo_data.c - deterministic, realistic demo records: merchants, listings, orders, logistics and chats. */
#include "cli/demo_data.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/idcheck.h"
#include "core/jsonx.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

#define SEC_MS 1000LL
#define MIN_MS (60 * SEC_MS)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
#define BEIJING_MS (8 * HOUR_MS) /* China Standard Time is UTC+8 all year */
#define WINDOW_MS (60 * DAY_MS)

#define N_MERCHANTS 40
#define N_CONSUMERS 150
#define N_ORDERS 400
#define N_REVISED 15    /* listings that get a second version */
#define MAX_LISTINGS (N_MERCHANTS * 5)
#define MAX_ITEMS 3     /* items per order */
#define MAX_EVENTS 8    /* logistics events per order */
#define MAX_CHAT 8      /* messages per conversation */

/* ---- a small PRNG: splitmix64, the same sequence everywhere ---- */

struct rng {
	uint64_t state; /* advanced by the golden-ratio increment per draw */
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z;

	r->state += 0x9E3779B97F4A7C15ULL;
	z = r->state;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

/* Uniform in [lo, hi]; lo <= hi. */
static int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* True with probability `percent` / 100. */
static int rng_percent(struct rng *r, int percent)
{
	return rng_below(r, 100) < (uint32_t)percent;
}

#define PICK(r, a) ((a)[rng_below((r), (uint32_t)N_ELEM(a))])

static void shuffle(struct rng *r, int *v, int n)
{
	int i, j, t;

	for (i = n - 1; i > 0; i--) {
		j = (int)rng_below(r, (uint32_t)i + 1);
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

/* snprintf for texts built from our own tables: not fitting is a bug. */
static void sfmt(char *dst, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void sfmt(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(dst, n, fmt, ap);
	va_end(ap);
	assert(k >= 0 && (size_t)k < n);
	(void)k;
}

/* ---- tables ---- */

/* Where merchants are registered: real county-level divisions. */
struct place {
	const char *code;      /* administrative division code (GB/T 2260) */
	const char *region;    /* province and city, as an address starts */
	const char *district;  /* district or county-level city */
	const char *city;      /* short city name, as company names start */
	const char *shop;      /* prefix of a 个体工商户 name */
	const char *area;      /* telephone area code */
	int local_digits;      /* digits of a local landline number */
	const char *street[2]; /* real streets of the district */
};

static const struct place places[] = {
	{"110105", "北京市", "朝阳区", "北京", "北京市朝阳区", "010", 8, {"建国路", "望京街"}},
	{"110108", "北京市", "海淀区", "北京", "北京市海淀区", "010", 8, {"中关村大街", "学院路"}},
	{"310115", "上海市", "浦东新区", "上海", "上海市浦东新区", "021", 8, {"张江路", "世纪大道"}},
	{"310104", "上海市", "徐汇区", "上海", "上海市徐汇区", "021", 8, {"漕溪北路", "宜山路"}},
	{"440305", "广东省深圳市", "南山区", "深圳", "深圳市南山区", "0755", 8, {"科技园南路", "深南大道"}},
	{"440106", "广东省广州市", "天河区", "广州", "广州市天河区", "020", 8, {"天河路", "体育西路"}},
	{"330106", "浙江省杭州市", "西湖区", "杭州", "杭州市西湖区", "0571", 8, {"文三路", "古墩路"}},
	{"330110", "浙江省杭州市", "余杭区", "杭州", "杭州市余杭区", "0571", 8, {"文一西路", "五常大道"}},
	{"510107", "四川省成都市", "武侯区", "成都", "成都市武侯区", "028", 8, {"人民南路四段", "科华北路"}},
	{"420106", "湖北省武汉市", "武昌区", "武汉", "武汉市武昌区", "027", 8, {"中北路", "中南路"}},
	{"320106", "江苏省南京市", "鼓楼区", "南京", "南京市鼓楼区", "025", 8, {"中山北路", "汉中门大街"}},
	{"320505", "江苏省苏州市", "虎丘区", "苏州", "苏州市虎丘区", "0512", 8, {"狮山路", "长江路"}},
	{"500103", "重庆市", "渝中区", "重庆", "重庆市渝中区", "023", 8, {"民族路", "中山三路"}},
	{"610113", "陕西省西安市", "雁塔区", "西安", "西安市雁塔区", "029", 8, {"高新路", "小寨东路"}},
	{"350203", "福建省厦门市", "思明区", "厦门", "厦门市思明区", "0592", 7, {"湖滨南路", "厦禾路"}},
	{"370212", "山东省青岛市", "崂山区", "青岛", "青岛市崂山区", "0532", 8, {"香港东路", "株洲路"}},
	{"330782", "浙江省", "义乌市", "义乌", "义乌市", "0579", 8, {"稠州北路", "宾王路"}},
	{"440604", "广东省佛山市", "禅城区", "佛山", "佛山市禅城区", "0757", 8, {"季华五路", "汾江中路"}},
	{"120101", "天津市", "和平区", "天津", "天津市和平区", "022", 8, {"南京路", "滨江道"}},
	{"430104", "湖南省长沙市", "岳麓区", "长沙", "长沙市岳麓区", "0731", 8, {"麓山南路", "桐梓坡路"}},
};

/* Birthplaces (first six digits) of individual merchants' ID numbers. */
static const char *const birthplaces[] = {
	"330782", "330726", "350583", "441581", "445202", "411323", "342221",
	"510722", "430524", "130626", "421087", "370883", "320321", "440513",
	"330327", "510107", "420106", "610113",
};

struct name_part {
	const char *han; /* Chinese characters */
	const char *py;  /* pinyin without tones, for email addresses */
};

static const struct name_part surnames[] = {
	{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"},
	{"杨", "yang"}, {"黄", "huang"}, {"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"},
	{"徐", "xu"}, {"孙", "sun"}, {"马", "ma"}, {"朱", "zhu"}, {"胡", "hu"},
	{"郭", "guo"}, {"何", "he"}, {"林", "lin"}, {"高", "gao"}, {"罗", "luo"},
	{"郑", "zheng"}, {"梁", "liang"}, {"谢", "xie"}, {"宋", "song"}, {"唐", "tang"},
	{"许", "xu"}, {"韩", "han"}, {"冯", "feng"}, {"邓", "deng"}, {"曹", "cao"},
	{"彭", "peng"}, {"曾", "zeng"}, {"肖", "xiao"}, {"田", "tian"}, {"董", "dong"},
	{"潘", "pan"}, {"袁", "yuan"}, {"蔡", "cai"}, {"蒋", "jiang"}, {"余", "yu"},
	{"叶", "ye"}, {"程", "cheng"}, {"魏", "wei"}, {"苏", "su"}, {"吕", "lv"},
	{"丁", "ding"}, {"沈", "shen"}, {"姚", "yao"}, {"卢", "lu"}, {"钟", "zhong"},
	{"崔", "cui"}, {"谭", "tan"}, {"范", "fan"}, {"金", "jin"}, {"欧阳", "ouyang"},
};

static const struct name_part female_names[] = {
	{"丽萍", "liping"}, {"静", "jing"}, {"婷婷", "tingting"}, {"雪梅", "xuemei"},
	{"晓燕", "xiaoyan"}, {"佳怡", "jiayi"}, {"欣怡", "xinyi"}, {"梦瑶", "mengyao"},
	{"思琪", "siqi"}, {"慧敏", "huimin"}, {"秀英", "xiuying"}, {"桂兰", "guilan"},
	{"海燕", "haiyan"}, {"丹", "dan"}, {"颖", "ying"}, {"雨欣", "yuxin"},
	{"诗涵", "shihan"}, {"淑华", "shuhua"}, {"红霞", "hongxia"}, {"春梅", "chunmei"},
	{"美玲", "meiling"}, {"晓琳", "xiaolin"}, {"芳", "fang"}, {"敏", "min"},
};

static const struct name_part male_names[] = {
	{"伟", "wei"}, {"强", "qiang"}, {"磊", "lei"}, {"军", "jun"}, {"洋", "yang"},
	{"勇", "yong"}, {"杰", "jie"}, {"涛", "tao"}, {"明", "ming"}, {"超", "chao"},
	{"建华", "jianhua"}, {"志强", "zhiqiang"}, {"国庆", "guoqing"}, {"浩然", "haoran"},
	{"子轩", "zixuan"}, {"宇航", "yuhang"}, {"俊杰", "junjie"}, {"文博", "wenbo"},
	{"海涛", "haitao"}, {"建国", "jianguo"}, {"鹏", "peng"}, {"宏伟", "hongwei"},
	{"晨阳", "chenyang"}, {"一鸣", "yiming"}, {"家豪", "jiahao"},
};

/* Trade names (字号) of companies. */
static const struct name_part brands[] = {
	{"云栖", "yunqi"}, {"星禾", "xinghe"}, {"博远", "boyuan"}, {"知行", "zhixing"},
	{"蓝鲸", "lanjing"}, {"优品", "youpin"}, {"嘉禾", "jiahe"}, {"恒信", "hengxin"},
	{"和悦", "heyue"}, {"锦程", "jincheng"}, {"青柠", "qingning"}, {"鼎盛", "dingsheng"},
	{"华彩", "huacai"}, {"听雨", "tingyu"}, {"墨香", "moxiang"}, {"百川", "baichuan"},
	{"启航", "qihang"}, {"木槿", "mujin"}, {"朗润", "langrun"}, {"晨曦", "chenxi"},
	{"匠心", "jiangxin"}, {"拾光", "shiguang"}, {"易达", "yida"}, {"泰和", "taihe"},
	{"维康", "weikang"}, {"鸿运", "hongyun"}, {"南风", "nanfeng"}, {"北辰", "beichen"},
	{"润物", "runwu"}, {"悦享", "yuexiang"}, {"极客", "jike"}, {"禾田", "hetian"},
	{"山海", "shanhai"}, {"简约", "jianyue"}, {"米粒", "mili"}, {"小鹿", "xiaolu"},
	{"臻选", "zhenxuan"}, {"微光", "weiguang"}, {"森屿", "senyu"}, {"初见", "chujian"},
};

static const char *const mobile_prefixes[] = {
	"130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
	"151", "152", "155", "156", "157", "158", "159", "166", "173", "175",
	"176", "177", "180", "181", "182", "183", "185", "186", "187", "188",
	"189", "191", "198", "199",
};

static const char *const office_buildings[] = {
	"华星时代广场A座", "科技园大厦", "创业大厦", "国际商务中心", "电子商务产业园3号楼",
	"软件园二期B栋", "金融广场", "文创园8号楼",
};

static const char *const communities[] = {
	"阳光小区", "锦绣花园", "翠苑一区", "幸福家园", "江南名府", "金色家园", "碧水湾",
};

/* Cities consumers live in (logistics destinations). */
static const char *const cities[] = {
	"北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "重庆",
	"长沙", "郑州", "沈阳", "哈尔滨", "昆明", "南宁", "合肥", "济南", "福州", "石家庄",
	"太原", "南昌", "贵阳", "兰州", "大连", "宁波", "无锡", "东莞", "苏州", "青岛",
	"天津", "厦门",
};

/* Cities with big sorting centres, for the middle of a route. */
static const char *const hub_cities[] = {
	"武汉", "郑州", "长沙", "南京", "济南", "合肥", "南昌", "石家庄", "嘉兴", "廊坊",
};

enum { CAR_SF, CAR_ZTO, CAR_YTO, CAR_YUNDA, CAR_JD, CAR_EMS, CAR_COUNT };

struct carrier {
	const char *name; /* as the platform shows it */
	const char *hub;  /* what the carrier calls its sorting centres */
	int share;        /* relative share as a merchant's usual carrier */
};

static const struct carrier carriers[CAR_COUNT] = {
	{"顺丰速运", "中转场", 20},
	{"中通快递", "转运中心", 25},
	{"圆通速递", "转运中心", 20},
	{"韵达快递", "分拨中心", 20},
	{"京东物流", "分拣中心", 10},
	{"邮政EMS", "邮件处理中心", 5},
};

static const char *const stations[] = {
	"菜鸟驿站", "丰巢智能柜", "小区门卫室", "兔喜生活驿站", "妈妈驿站",
};

enum {
	CAT_PHONE, CAT_CLOTHES, CAT_FOOD, CAT_APPLIANCE, CAT_BOOKS, CAT_CUSTOM,
	CAT_DIGITAL, CAT_COUNT
};

#define CAT_BIT(c) (1u << (c))
#define CATS_PHYSICAL (((1u << CAT_COUNT) - 1) & ~CAT_BIT(CAT_DIGITAL))

struct category {
	const char *industry[2]; /* industry words of a company name */
	const char *shop;        /* ending of a 个体工商户 name */
	const char *domain;      /* word in a company's email domain */
	int merchants;           /* merchants selling it, of N_MERCHANTS */
	const char *defect[3];   /* quality complaints, for chats */
	const char *claim[2];    /* what a listing promised ... */
	const char *reality[2];  /* ... and what arrived instead */
};

static const struct category categories[CAT_COUNT] = {
	[CAT_PHONE] = {{"电子科技", "数码科技"}, "数码配件店", "tech", 7,
		{"充电的时候烫得厉害，用了两天就充不进电了", "接口松动，手机一碰就断开",
		 "外壳有明显裂痕，包装也是破的"},
		{"支持20W快充", "原装正品"},
		{"实测只有5W左右，充满要三个多小时", "做工明显是仿品，序列号也查不到"}},
	[CAT_CLOTHES] = {{"服饰", "服装"}, "服装店", "fashion", 8,
		{"洗了一次就严重掉色，还把别的衣服染了", "袖口和腋下都开线了，线头到处都是",
		 "拉链第一次拉就坏了"},
		{"100%纯棉", "颜色和模特图一致"},
		{"吊牌上写的是65%聚酯纤维", "实物颜色比图片暗很多，完全是另一个颜色"}},
	[CAT_FOOD] = {{"食品", "农业开发"}, "食品商行", "food", 7,
		{"打开发现好几个已经发霉了", "包装漏气，里面的东西都受潮结块了",
		 "有一股很重的异味，根本没法吃"},
		{"足斤足两、当季新货", "产地直发、个头大"},
		{"称了一下少了将近一斤，生产日期还是去年的", "大部分个头很小，还有不少磕碰"}},
	[CAT_APPLIANCE] = {{"电器", "家居用品"}, "电器经营部", "home", 5,
		{"用了三天就不工作了，指示灯一直闪", "通电后有焦糊味，还跳闸了",
		 "噪音特别大，跟拖拉机一样"},
		{"静音设计、运行噪音低于40分贝", "全新正品、整机保修一年"},
		{"开最低档都很吵，晚上根本没法用", "机器有明显使用痕迹，里面还有残渣，像是别人退回的二手货"}},
	[CAT_BOOKS] = {{"文化传媒", "图书"}, "书店", "books", 4,
		{"好几页印刷重影，还有十几页是空白的", "书脊开胶了，一翻就掉页",
		 "封面有明显折痕和污渍"},
		{"正版图书、全新塑封", "精装典藏版"},
		{"纸张很薄、字迹模糊，明显是盗版", "收到的是平装版，也没有塑封"}},
	[CAT_CUSTOM] = {{"工艺品", "文化创意"}, "工艺品店", "gift", 5,
		{"刻的字位置歪了，边缘还有毛刺", "印出来的图案全是色块，非常模糊",
		 "收到就有掉漆，接缝处也裂开了"},
		{"高清印刷、色彩还原", "优质材质、做工精细"},
		{"颜色偏差很大，人脸都是糊的", "材质很廉价，边角粗糙，还有胶水痕迹"}},
	[CAT_DIGITAL] = {{"网络科技", "信息技术"}, "网络工作室", "soft", 4,
		{"该兑换码已被使用", "激活密钥无效", "兑换码不存在或已过期"},
		{"官方正版、即买即用", "有效期与官方一致"},
		{"兑换时提示卡密所属地区不支持，根本用不了", "兑换后的有效期比页面写的少了一半"}},
};

struct product {
	int cat;            /* enum category */
	const char *title;
	const char *item;   /* what a buyer calls it in a chat */
	const char *desc;
	int64_t lo, hi;     /* price range, fen */
	int min_qty;        /* smallest quantity ordered */
	const char *excl;   /* return_exclusion, or NULL */
};

static const struct product products[] = {
	{CAT_PHONE, "20W PD快充充电器 适用iPhone 15/14/13 Type-C快充头 3C认证", "充电器",
	 "20W PD协议快充，兼容iPhone及安卓Type-C机型，过压、过流、过温多重保护，已通过国家3C认证。",
	 2900, 5900, 1, NULL},
	{CAT_PHONE, "苹果数据线 MFi认证 Lightning 1米 尼龙编织", "数据线",
	 "MFi认证芯片，支持快充与数据同步，尼龙编织线身，弯折测试10000次以上。",
	 1990, 3990, 1, NULL},
	{CAT_PHONE, "iPhone 15 Pro 钢化膜 全屏覆盖 高清防指纹 2片装", "钢化膜",
	 "9H硬度钢化玻璃，全屏覆盖，疏油层防指纹，附贴膜神器，2片装。",
	 990, 2590, 1, NULL},
	{CAT_PHONE, "磁吸无线充电宝 10000mAh 15W快充 超薄便携", "充电宝",
	 "10000mAh电芯，磁吸无线15W快充，厚度仅16mm，支持边充边放，可带上飞机。",
	 9900, 16900, 1, NULL},
	{CAT_PHONE, "液态硅胶手机壳 适用华为Mate 60 Pro 全包防摔", "手机壳",
	 "亲肤液态硅胶，内衬超细纤维，镜头全包保护，四角气囊防摔。",
	 1990, 3990, 1, NULL},
	{CAT_PHONE, "车载手机支架 重力感应 出风口卡扣 单手取放", "手机支架",
	 "重力感应自动夹紧，出风口卡扣安装，适配4.7-7英寸手机。",
	 2590, 4990, 1, NULL},
	{CAT_PHONE, "真无线蓝牙耳机 主动降噪 续航30小时 入耳式", "蓝牙耳机",
	 "蓝牙5.3，主动降噪深度35dB，单次续航6小时，配合充电仓可用30小时。",
	 12900, 29900, 1, NULL},
	{CAT_PHONE, "65W氮化镓充电器 2C1A三口 多协议快充", "氮化镓充电器",
	 "GaN氮化镓方案，65W总功率，可同时为笔记本、平板和手机充电，插脚可折叠。",
	 8900, 14900, 1, NULL},

	{CAT_CLOTHES, "纯棉短袖T恤 男女同款 宽松圆领 230g重磅", "T恤",
	 "230g精梳棉，宽松落肩版型，领口加固不易变形。", 3900, 8900, 1, NULL},
	{CAT_CLOTHES, "高腰阔腿牛仔裤 女 春秋款 显瘦垂感", "牛仔裤",
	 "高腰设计拉长腿部比例，微弹面料，垂感好不起球。", 8900, 19900, 1, NULL},
	{CAT_CLOTHES, "轻薄羽绒服 男 90%白鸭绒 立领短款", "羽绒服",
	 "90%白鸭绒，充绒量120g，立领防风，可收纳进随附收纳袋。", 29900, 59900, 1, NULL},
	{CAT_CLOTHES, "慵懒风针织开衫 女 V领毛衣外套", "针织开衫",
	 "羊毛混纺针织，V领设计，宽松版型，秋冬百搭。", 12900, 25900, 1, NULL},
	{CAT_CLOTHES, "加绒连帽卫衣 情侣款 运动休闲", "卫衣",
	 "内里加绒保暖，螺纹袖口与下摆，S-3XL多码可选。", 9900, 18900, 1, NULL},
	{CAT_CLOTHES, "免烫商务衬衫 男 长袖 修身 抗皱", "衬衫",
	 "免烫抗皱面料，修身剪裁，适合通勤及商务场合。", 9900, 16900, 1, NULL},
	{CAT_CLOTHES, "法式碎花连衣裙 收腰 中长款 雪纺", "连衣裙",
	 "双层雪纺，收腰设计，内衬不透，裙长约110cm。", 15900, 29900, 1, NULL},
	{CAT_CLOTHES, "儿童防风外套 男童女童 春秋薄款", "儿童外套",
	 "防风防泼水面料，帽子可拆卸，反光条设计夜间更安全。", 8900, 15900, 1, NULL},

	{CAT_FOOD, "阳澄湖大闸蟹 鲜活现货 公4.0两 母3.0两 4对8只 礼盒装", "大闸蟹",
	 "阳澄湖产区鲜活大闸蟹，冷链发货，死蟹包赔。", 39900, 69900, 1, "perishable"},
	{CAT_FOOD, "烟台红富士苹果 5斤装 单果80mm+ 产地直发", "苹果",
	 "山东烟台栖霞产区，脆甜多汁，单果直径80mm以上，产地现摘现发。", 3990, 6990, 1,
	 "perishable"},
	{CAT_FOOD, "云南勐海普洱熟茶 七子饼 357g 2019年", "普洱茶饼",
	 "勐海大叶种晒青毛茶，2019年压制，汤色红浓，陈香明显。", 12900, 39900, 1, NULL},
	{CAT_FOOD, "每日坚果 混合果仁 30包 750g", "每日坚果",
	 "6种坚果果干科学配比，独立小包装，每日一包。", 8900, 13900, 1, NULL},
	{CAT_FOOD, "丹东99红颜草莓 3斤礼盒装 现摘现发", "草莓",
	 "丹东99红颜草莓，单果20g以上，泡沫箱加冰袋发货。", 6990, 12900, 1, "perishable"},
	{CAT_FOOD, "内蒙古风干牛肉干 手撕 500g 原味", "牛肉干",
	 "内蒙古草原黄牛肉，风干工艺，无添加淀粉，原味、微辣可选。", 6900, 11900, 1, NULL},
	{CAT_FOOD, "现烤手撕吐司 早餐面包 整箱1kg", "吐司",
	 "当天现烤当天发，保质期7天，无反式脂肪酸。", 2990, 4990, 1, "perishable"},
	{CAT_FOOD, "五常大米 稻花香2号 10kg 当季新米", "五常大米",
	 "黑龙江五常产区稻花香2号，当季新米，真空包装。", 8900, 15900, 1, NULL},
	{CAT_FOOD, "手工猪肉白菜水饺 1kg×3袋 冷冻速食", "速冻水饺",
	 "手工包制，猪肉白菜馅，-18℃冷链配送。", 4990, 7990, 1, "perishable"},

	{CAT_APPLIANCE, "空气炸锅 5L大容量 可视窗口 智能触控 家用", "空气炸锅",
	 "5L大容量，可视窗口随时查看，8种预设菜单，不粘内胆可拆洗。", 29900, 49900, 1, NULL},
	{CAT_APPLIANCE, "破壁料理机 家用加热 多功能豆浆机 1.75L", "破壁机",
	 "1.75L容量，加热破壁一体，支持预约，可做豆浆、米糊、果汁。", 39900, 89900, 1, NULL},
	{CAT_APPLIANCE, "电热水壶 1.7L 304不锈钢 自动断电 防干烧", "电热水壶",
	 "304食品级不锈钢内胆，1800W快速烧水，沸腾自动断电，防干烧。", 7900, 15900, 1, NULL},
	{CAT_APPLIANCE, "落地无叶风扇 遥控 静音 空气循环扇", "无叶风扇",
	 "无叶设计更安全，9档风速，遥控操作，夜间模式低噪运行。", 39900, 79900, 1, NULL},
	{CAT_APPLIANCE, "家用除湿机 20L/天 卧室地下室抽湿", "除湿机",
	 "日除湿量20L，湿度智能控制，水箱满自动停机，可连续排水。", 99900, 169900, 1, NULL},
	{CAT_APPLIANCE, "扫地机器人 激光导航 自动集尘 扫拖一体", "扫地机器人",
	 "LDS激光导航，4000Pa大吸力，自动集尘座可存60天垃圾。", 149900, 299900, 1, NULL},
	{CAT_APPLIANCE, "声波电动牙刷 成人 软毛 5种模式 IPX7防水", "电动牙刷",
	 "每分钟38000次声波震动，5种清洁模式，续航60天，IPX7防水。", 12900, 29900, 1, NULL},
	{CAT_APPLIANCE, "手持挂烫机 家用小型 蒸汽熨斗 折叠便携", "挂烫机",
	 "1500W大功率，25秒快速出蒸汽，可折叠，出差旅行适用。", 9900, 19900, 1, NULL},

	{CAT_BOOKS, "《三联生活周刊》全年订阅 52期 邮局直投", "《三联生活周刊》",
	 "全年52期，每周出刊后由邮局直投到家。", 39900, 49900, 1, "periodical"},
	{CAT_BOOKS, "《读者》杂志 半年订阅 12期", "《读者》",
	 "半月刊，半年共12期，出刊后邮寄到家。", 6000, 9000, 1, "periodical"},
	{CAT_BOOKS, "《中国国家地理》全年订阅 12期 附赠地图", "《中国国家地理》",
	 "月刊，全年12期，随刊附赠专题地图。", 36000, 43200, 1, "periodical"},
	{CAT_BOOKS, "《三体》全集 刘慈欣 典藏版 全三册", "《三体》",
	 "雨果奖获奖作品，典藏版全三册，正版塑封。", 6800, 16800, 1, NULL},
	{CAT_BOOKS, "《活着》余华 精装版", "《活着》",
	 "余华代表作，作家出版社精装版，正版图书。", 2990, 4500, 1, NULL},
	{CAT_BOOKS, "《人类简史：从动物到上帝》尤瓦尔·赫拉利", "《人类简史》",
	 "中信出版社正版，全新塑封。", 4500, 6800, 1, NULL},
	{CAT_BOOKS, "《电脑爱好者》杂志 全年订阅 24期", "《电脑爱好者》",
	 "半月刊，全年24期，每期出刊后邮寄。", 14400, 19200, 1, "periodical"},
	{CAT_BOOKS, "小学生课外阅读经典名著 注音版 全10册", "课外读物套装",
	 "注音版彩图，适合6-10岁儿童，全10册。", 7900, 12900, 1, NULL},

	{CAT_CUSTOM, "定制刻字保温杯 316不锈钢 500ml 可印logo 生日礼物", "定制保温杯",
	 "316不锈钢内胆，激光刻字，可刻名字、祝福语或企业logo。", 5900, 12900, 1, "custom"},
	{CAT_CUSTOM, "定制字母情侣手链 925银 刻字 生日礼物", "定制手链",
	 "S925银，可定制1-3个字母和日期，附礼盒。", 12900, 29900, 1, "custom"},
	{CAT_CUSTOM, "照片定制拼图 1000片 个人照片印制", "定制拼图",
	 "上传照片即可制作，1000片，加厚纸板，高清印刷。", 6900, 12900, 1, "custom"},
	{CAT_CUSTOM, "企业定制文化衫 印logo 班服 团体服 纯棉", "定制文化衫",
	 "纯棉圆领，丝印或热转印可选，10件起做，按件计价。", 2900, 5900, 10, "custom"},
	{CAT_CUSTOM, "手工定制钱包 头层牛皮 烫印姓名", "定制钱包",
	 "植鞣头层牛皮，手工缝线，可烫印姓名缩写。", 19900, 39900, 1, "custom"},
	{CAT_CUSTOM, "中式婚礼请柬定制 烫金 50张 含信封", "定制请柬",
	 "特种纸烫金工艺，可定制新人姓名、日期和地址，50张含信封。", 15900, 29900, 1, "custom"},
	{CAT_CUSTOM, "宠物定制肖像 手绘油画 30×40cm 含画框", "宠物油画",
	 "根据照片手绘，约7个工作日完成，完成后拍照确认再发货。", 29900, 59900, 1, "custom"},
	{CAT_CUSTOM, "实木定制门牌 庭院挂牌 雕刻", "定制门牌",
	 "红橡木材质，数控雕刻加手工上漆，户外防水。", 9900, 19900, 1, "custom"},

	{CAT_DIGITAL, "Steam钱包充值卡 100元 电子卡密 自动发货", "Steam充值卡",
	 "官方电子卡密，付款后自动发货至订单详情。", 10000, 10000, 1, "digital_unsealed"},
	{CAT_DIGITAL, "腾讯视频VIP会员 12个月年卡 兑换码", "腾讯视频年卡",
	 "腾讯视频VIP年卡，兑换码自动发放，兑换后即时生效。", 14800, 19800, 1,
	 "digital_unsealed"},
	{CAT_DIGITAL, "网易云音乐黑胶VIP 年卡 激活码", "网易云音乐年卡",
	 "黑胶VIP年卡，手机、电脑、车机多端通用。", 8800, 15800, 1, "digital_unsealed"},
	{CAT_DIGITAL, "WPS超级会员 1年 兑换码", "WPS会员",
	 "WPS超级会员一年，含PDF转换、云空间等特权。", 8900, 17900, 1, "digital_unsealed"},
	{CAT_DIGITAL, "Office 家庭和学生版 激活密钥 下载版 永久", "Office密钥",
	 "激活密钥绑定微软账户，支持1台Windows或Mac电脑。", 19900, 39900, 1,
	 "digital_unsealed"},
	{CAT_DIGITAL, "Switch游戏兑换码 塞尔达传说 王国之泪 数字版", "Switch兑换码",
	 "港服数字版兑换码，请确认账户区服后购买。", 39900, 46900, 1, "digital_unsealed"},
	{CAT_DIGITAL, "喜马拉雅巅峰会员 季卡 兑换码", "喜马拉雅季卡",
	 "巅峰会员3个月，付款后自动发放兑换码。", 4500, 7800, 1, "digital_unsealed"},
	{CAT_DIGITAL, "有道词典Pro 终身版 激活码", "有道词典激活码",
	 "一次购买终身使用，支持1台设备。", 9900, 19900, 1, "digital_unsealed"},
};

/* The listing's return policy sentence, by return_exclusion. */
static const char *policy_text(const char *excl)
{
	if (!excl)
		return "支持七天无理由退货（商品完好、不影响二次销售）。";
	if (!strcmp(excl, "perishable"))
		return "生鲜商品属于鲜活易腐类，不适用七天无理由退货；签收时请当场验货，"
		       "如有破损、变质请于24小时内拍照联系客服。";
	if (!strcmp(excl, "custom"))
		return "定制商品按您的要求制作，请在订单备注中写明定制内容，"
		       "制作完成后不支持七天无理由退货。";
	if (!strcmp(excl, "digital_unsealed"))
		return "虚拟商品，付款后自动发放卡密至订单详情页，卡密一经发出不支持七天无理由退货。";
	return "期刊按期邮寄，已交付的期刊不支持七天无理由退货；如遇缺期、错期请联系客服补寄。";
}

/* How a merchant names a return exclusion to a buyer (消费者权益保护法 art. 25). */
static const char *excl_name(const char *excl)
{
	if (!excl)
		return "普通商品";
	if (!strcmp(excl, "perishable"))
		return "鲜活易腐商品";
	if (!strcmp(excl, "custom"))
		return "消费者定作的商品";
	if (!strcmp(excl, "digital_unsealed"))
		return "在线下载的数字化商品";
	return "已交付的报纸、期刊";
}

/* Notes a merchant adds to a listing's description in version 2. */
static const char *const physical_notes[] = {
	"【更新】即日起全国包邮（新疆、西藏除外），默认顺丰发货。",
	"【更新】包装升级为礼盒装，加赠手提袋。",
	"【更新】更换新批次，外包装与图片略有差异，以实物为准。",
	"【更新】发货时间调整为付款后48小时内。",
};
static const char *const digital_notes[] = {
	"【更新】兑换码有效期调整为自购买之日起90天内，请及时兑换。",
	"【更新】改为人工核验后发放卡密，高峰期可能延迟30分钟。",
};

static const char *const engravings[] = {
	"平安喜乐", "前程似锦", "生日快乐 妈妈", "Forever LOVE", "岁岁年年", "一路向阳",
};

/* ---- chat templates ---- */

/* When a conversation starts, relative to the order's events. */
enum anchor {
	AT_PAID,      /* shortly after payment */
	AT_SHIPPED,   /* after it was shipped */
	AT_SIGNED,    /* after it was signed for */
	AT_STALLED,   /* days after the tracking stopped moving */
	AT_LOST,      /* after the carrier reported it lost */
	AT_RETURNED,  /* after it went back to the merchant */
	AT_UNSHIPPED, /* days after payment, still not shipped */
};

/* Which orders a template fits, by the return exclusion of the first item. */
enum { EX_ANY, EX_NONE, EX_SOME, EX_PERISHABLE };

/* Placeholders a template may use as "{name}". */
enum {
	CV_ITEM, CV_CARRIER, CV_TRACKING, CV_DEFECT, CV_CLAIM, CV_REALITY, CV_STATION,
	CV_EXCL, CV_RETURN_NO, CV_ENGRAVING, CV_DAYS, CV_REFUND, CV_COUNT
};

static const char *const chat_keys[CV_COUNT] = {
	"item", "carrier", "tracking", "defect", "claim", "reality", "station",
	"excl", "return_no", "engraving", "days", "refund",
};

struct chat_line {
	char who;           /* 'c' consumer, 'm' merchant, 'p' platform; 0 ends */
	int gap_lo, gap_hi; /* minutes after the previous message or the anchor */
	const char *text;   /* with {placeholders} */
};

struct chat {
	int anchor;   /* enum anchor */
	unsigned cats; /* CAT_BIT set of categories it fits */
	int excl;     /* EX_* */
	int weight;   /* relative chance among the templates that fit */
	struct chat_line line[MAX_CHAT + 1];
};

static const struct chat chats[] = {
	/* when will it ship */
	{AT_PAID, CATS_PHYSICAL & ~CAT_BIT(CAT_CUSTOM), EX_ANY, 3, {
		{'c', 2, 40, "你好，请问{item}今天能发货吗？比较急用"},
		{'m', 1, 30, "亲，您好～下午五点前付款的订单当天发出，请放心"},
		{'c', 1, 15, "好的，麻烦尽快，谢谢"},
		{'m', 1, 10, "不客气，有问题随时联系我们哦"},
	}},
	/* how long to make */
	{AT_PAID, CAT_BIT(CAT_CUSTOM), EX_ANY, 3, {
		{'c', 2, 60, "你好，定制的{item}大概多久能做好发货？"},
		{'m', 1, 30, "亲，定制商品需要3到5个工作日制作，做好后会先拍照给您确认再发货"},
		{'c', 1, 15, "好的，定制内容我写在备注里了：“{engraving}”"},
		{'m', 1, 10, "收到，会严格按照备注制作的"},
	}},
	/* size advice */
	{AT_PAID, CAT_BIT(CAT_CLOTHES), EX_ANY, 4, {
		{'c', 1, 30, "在吗？我身高165，体重110斤，这件{item}拍M码合适吗？"},
		{'m', 1, 20, "亲，这款版型偏大，按您的身高体重建议S码哦，需要帮您改成S码吗？"},
		{'c', 1, 10, "那帮我改成S码吧，颜色不变"},
		{'m', 1, 10, "好的，已经给您备注改成S码了，发货前会再核对一遍"},
		{'c', 1, 10, "谢谢"},
	}},
	/* invoice */
	{AT_PAID, CATS_PHYSICAL, EX_ANY, 2, {
		{'c', 5, 120, "你好，可以开电子发票吗？抬头是个人"},
		{'m', 2, 60, "可以的亲，确认收货后在订单详情页申请开票，1个工作日内开具"},
		{'c', 1, 20, "好的"},
	}},
	/* which carrier */
	{AT_SHIPPED, CATS_PHYSICAL, EX_ANY, 2, {
		{'c', 30, 600, "请问发的什么快递？单号多少？"},
		{'m', 2, 60, "亲，已经发{carrier}了，单号{tracking}，订单详情里也可以查看物流哦"},
	}},
	/* wrong address */
	{AT_SHIPPED, CATS_PHYSICAL, EX_ANY, 1, {
		{'c', 10, 240, "我刚发现收货地址的门牌号写错了，还能改吗？"},
		{'m', 2, 60, "亲，包裹已经发出了没法改，您可以直接联系{carrier}改派，单号{tracking}"},
		{'c', 1, 30, "好吧，我自己联系快递"},
	}},
	/* quality complaint, escalated */
	{AT_SIGNED, CATS_PHYSICAL, EX_ANY, 5, {
		{'c', 60, 2880, "收到的{item}有问题：{defect}。你们怎么处理？"},
		{'m', 5, 180, "亲，非常抱歉给您带来不好的体验，麻烦拍一下照片或视频给我们看看"},
		{'c', 5, 120, "照片和视频都发过去了，你们自己看"},
		{'m', 10, 300, "我们看过了，这个应该是运输途中或者收货后保管、使用不当造成的，不在我们的责任范围内哦"},
		{'c', 2, 60, "才收到就这样，怎么可能是我的原因？这明显是质量问题"},
		{'m', 10, 240, "这样吧，给您补偿10元红包，您看可以吗？"},
		{'c', 2, 60, "不接受，我要求退货退款。你们不处理我就申请平台介入"},
		{'p', 30, 1440, "【平台提示】消费者已申请平台介入。请商家在48小时内上传质检报告、"
				"发货凭证等材料并给出处理方案，逾期未处理的，平台将依据现有证据作出处理。"},
	}},
	/* not as described */
	{AT_SIGNED, CATS_PHYSICAL, EX_ANY, 4, {
		{'c', 60, 2880, "你们这个{item}和页面描述不一样，页面写的是{claim}，实际{reality}。"},
		{'m', 5, 240, "亲，页面信息仅供参考，不同批次可能会有一些差异哦"},
		{'c', 2, 60, "商品描述是你们自己写的，货不对板就是虚假宣传。我要求退货退款，来回运费你们承担"},
		{'m', 10, 240, "退货可以，但运费需要您自己承担"},
		{'c', 2, 60, "描述不符凭什么让我出运费？商品页面我已经截图保存了"},
		{'p', 60, 1440, "【平台提示】买家反馈“商品与描述不符”，平台已介入处理，请双方在3日内提交相关凭证。"},
	}},
	/* signed for but not received */
	{AT_SIGNED, CATS_PHYSICAL, EX_ANY, 2, {
		{'c', 60, 1440, "物流显示已经签收了，但我根本没收到，也没人给我打过电话！"},
		{'m', 5, 120, "亲，物流显示放在{station}了，麻烦您去看一下"},
		{'c', 30, 300, "去找过了，没有。我也没有授权任何人代收"},
		{'m', 10, 180, "我们联系一下快递员，请您稍等"},
		{'c', 1440, 2880, "两天了还是没有结果，请给我一个明确的答复，不然我就申请退款了"},
	}},
	/* 7-day no-reason return, accepted */
	{AT_SIGNED, CATS_PHYSICAL, EX_NONE, 3, {
		{'c', 60, 4320, "你好，{item}收到了，不太合适，想申请七天无理由退货可以吗？"},
		{'m', 5, 120, "可以的亲，请保持商品完好、配件齐全，在订单页面提交退货申请就可以，退回运费需要您承担哦"},
		{'c', 120, 1440, "已经寄回了，中通快递单号{return_no}"},
		{'m', 10, 240, "好的，收到退货验收后24小时内给您退款"},
		{'c', 1, 30, "好的，谢谢"},
	}},
	/* return refused for an excluded good */
	{AT_SIGNED, CATS_PHYSICAL, EX_SOME, 4, {
		{'c', 60, 2880, "{item}收到了，跟我想的不太一样，想退货"},
		{'m', 5, 180, "亲，这款属于{excl}，页面有说明不支持七天无理由退货哦"},
		{'c', 2, 60, "页面上我没看到这个说明，而且东西我还没用过"},
		{'m', 5, 120, "商品详情页里有标注的，亲可以再看一下"},
		{'c', 2, 60, "那也太不合理了，我要投诉"},
	}},
	/* spoiled fresh food, settled */
	{AT_SIGNED, CAT_BIT(CAT_FOOD), EX_PERISHABLE, 5, {
		{'c', 10, 600, "{item}今天收到了，打开发现有一部分已经坏了，还有异味"},
		{'m', 2, 60, "亲，非常抱歉！麻烦拍下照片发给我们，坏的部分我们按比例给您退款"},
		{'c', 2, 30, "照片已经发了"},
		{'m', 5, 120, "核实了，给您退款{refund}元，已经提交，请注意查收"},
		{'c', 1, 30, "好的，谢谢处理"},
	}},
	/* first use */
	{AT_SIGNED, CAT_BIT(CAT_APPLIANCE), EX_ANY, 2, {
		{'c', 30, 1440, "{item}收到了，请问第一次使用需要注意什么？"},
		{'m', 2, 60, "亲，第一次使用前请先清洗一下，空机运行5分钟去除异味就可以了"},
		{'c', 1, 20, "好的，谢谢"},
	}},
	/* wrong engraving */
	{AT_SIGNED, CAT_BIT(CAT_CUSTOM), EX_ANY, 4, {
		{'c', 60, 1440, "定制的{item}收到了，内容做错了！我备注的是“{engraving}”，你们做成了别的"},
		{'m', 5, 120, "亲，我们是严格按照您的备注制作的，麻烦您再看一下订单备注"},
		{'c', 2, 60, "截图发给你了，备注写得清清楚楚，是你们做错了"},
		{'m', 10, 240, "定制商品不支持退换，可以给您重做一个，但需要补30元工本费"},
		{'c', 2, 60, "你们做错了还要我补钱？我要求退款"},
		{'p', 60, 1440, "【平台提示】定制商品存在制作争议，平台已介入，请商家上传买家定制确认记录。"},
	}},
	/* tracking stalled */
	{AT_STALLED, CATS_PHYSICAL, EX_ANY, 6, {
		{'c', 1, 60, "我的快递已经{days}天没有物流更新了，到底到哪了？"},
		{'m', 5, 180, "亲，我们这边帮您联系{carrier}核实一下，请稍等"},
		{'c', 1200, 1800, "已经过去一天了，还是没有任何消息"},
		{'m', 10, 240, "快递那边说可能是中转积压，请您再耐心等两天"},
		{'c', 2, 60, "我买来是要用的，一直这样拖着算怎么回事？再不到我就申请退款了"},
		{'m', 10, 240, "理解您的心情，如果后天还没有更新，我们给您补发"},
	}},
	/* lost */
	{AT_LOST, CATS_PHYSICAL, EX_ANY, 6, {
		{'c', 10, 360, "物流显示{carrier}把我的快递弄丢了？？"},
		{'m', 5, 180, "亲，是的，快递反馈包裹在中转时遗失了，我们已经在走理赔流程"},
		{'c', 2, 60, "那我的东西怎么办？"},
		{'m', 5, 120, "可以给您重新补发一份，或者等快递理赔下来再给您退款"},
		{'c', 2, 60, "我不要补发了，直接退款吧。快递丢件是你们和快递之间的事，不应该让我等理赔"},
		{'m', 10, 240, "退款需要等快递公司的理赔结果，大概7到15个工作日"},
		{'c', 2, 60, "我不同意，我要申请平台介入"},
		{'p', 60, 1440, "【平台提示】该订单物流显示遗失，平台已受理买家的退款申请，请商家在48小时内处理。"},
	}},
	/* returned to sender */
	{AT_RETURNED, CATS_PHYSICAL, EX_ANY, 6, {
		{'c', 60, 720, "为什么物流显示我的快递被退回了？我没有拒收啊"},
		{'m', 5, 180, "亲，快递反馈派送时联系不上您，地址也不详细，所以退回了"},
		{'c', 2, 60, "我电话一直开着，没有接到任何电话。你们重新给我发吧"},
		{'m', 10, 240, "重新发货需要您补一下运费12元"},
		{'c', 2, 60, "又不是我的原因，凭什么让我出运费？"},
		{'p', 60, 1440, "【平台提示】买家对退回件有异议，平台已介入处理，请商家在48小时内提供快递派送记录。"},
	}},
	/* never shipped */
	{AT_UNSHIPPED, CATS_PHYSICAL, EX_ANY, 6, {
		{'c', 1, 60, "下单{days}天了怎么还不发货？"},
		{'m', 10, 600, "亲，不好意思，这款目前缺货，预计下周才能到货"},
		{'c', 2, 60, "下单的时候页面显示有现货啊，你们这是虚假宣传吧"},
		{'m', 10, 240, "实在抱歉，您愿意等的话我们给您送个小礼品"},
		{'c', 2, 60, "不等了，我要退款，你们这种情况应该按规定赔偿"},
	}},
	/* download card already used */
	{AT_PAID, CAT_BIT(CAT_DIGITAL), EX_ANY, 4, {
		{'p', 1, 3, "【系统消息】您购买的{item}卡密已发放至订单详情页，请妥善保管，切勿泄露给他人。"},
		{'c', 5, 120, "卡密兑换的时候提示“{defect}”，怎么回事？"},
		{'m', 5, 120, "亲，我们发出的卡密都是全新的，是不是您已经兑换过了呢？"},
		{'c', 2, 60, "我刚买的，根本没兑换过！你们是不是把同一个码卖给了好几个人？"},
		{'m', 10, 240, "亲，卡密类商品一经发出不退不换，页面有说明的哦"},
		{'c', 2, 60, "码根本用不了，这不是退换的问题，是你们没有交付能用的商品。请退款"},
		{'p', 60, 1440, "【平台提示】买家反馈虚拟商品无法使用，平台已介入，请商家在24小时内提供卡密发放及兑换记录。"},
	}},
	/* download card not as described */
	{AT_PAID, CAT_BIT(CAT_DIGITAL), EX_ANY, 2, {
		{'p', 1, 3, "【系统消息】您购买的{item}卡密已发放至订单详情页，请妥善保管，切勿泄露给他人。"},
		{'c', 30, 1440, "你们页面写的是{claim}，结果{reality}，这不是骗人吗？"},
		{'m', 10, 240, "亲，具体以官方规则为准哦"},
		{'c', 2, 60, "我是按你们的页面描述买的，请给我退款"},
	}},
	/* download card fine */
	{AT_PAID, CAT_BIT(CAT_DIGITAL), EX_ANY, 3, {
		{'p', 1, 3, "【系统消息】您购买的{item}卡密已发放至订单详情页，请妥善保管，切勿泄露给他人。"},
		{'c', 2, 120, "兑换成功了，谢谢"},
		{'m', 2, 60, "感谢支持，祝您使用愉快～"},
	}},
};

static const char *const signed_details[] = {
	"已签收，签收人凭取件码签收", "已签收，签收人：本人", "已签收，签收人：家人代收",
};

static const char *const returned_details[] = {
	"派送不成功：收件人电话无人接听且地址不详，快件已退回寄件人",
	"收件人拒收，快件已退回寄件人",
};

/* ---- working state ---- */

struct merchant {
	char ext[16];      /* external_id, "shop-10023" */
	int cat;           /* enum category */
	int place;         /* index into places */
	int carrier;       /* the carrier it usually ships with */
	int weight;        /* relative share of orders, 1..6 */
	int first_listing; /* its listings are listings[first_listing ...] */
	int n_listings;    /* ... and there are this many */
};

/* What version 2 of a listing changed. */
enum { REV_CUT, REV_RAISE, REV_NOTE };

struct listing {
	char ext[24];       /* external_id, "sku-10023-01" */
	int merchant;       /* index into merchants */
	int product;        /* index into products */
	int versions;       /* 1, or 2 once revised */
	int64_t price[2];   /* fen, by version */
	int64_t revised_ms; /* when version 2 replaced version 1 */
	int revision;       /* REV_*: what version 2 changed */
	const char *note;   /* the note version 2 adds to a REV_NOTE description */
};

struct consumer {
	char ext[16];   /* external_id, "u-8812345" */
	char name[32];  /* Chinese name */
	char phone[16]; /* mobile number */
	int city;       /* index into cities */
};

struct order {
	char ext[24];                /* "T" + Beijing paid time + sequence */
	int consumer;                /* index into consumers */
	int merchant;                /* index into merchants */
	int n_items;                 /* 1..MAX_ITEMS */
	int listing[MAX_ITEMS];      /* index into listings */
	int quantity[MAX_ITEMS];
	int version[MAX_ITEMS];      /* listing version ordered */
	int64_t total;               /* fen */
	int64_t paid_ms;
	int carrier;                 /* index into carriers, once shipped */
	char tracking[24];           /* tracking number, once shipped */
	int station;                 /* index into stations */
	int64_t shipped_ms;          /* when it happened, 0 if not (yet) */
	int64_t transit_ms;          /* the last in_transit event, 0 if none */
	int64_t delivered_ms;        /* ditto */
	int64_t signed_ms;           /* ditto */
	int64_t lost_ms;             /* ditto */
	int64_t returned_ms;         /* ditto */
};

/* A record waiting to be put in time order. */
struct timed {
	int64_t at;  /* its time */
	int seq;     /* creation order, to break ties */
	json_t *rec; /* owned here until emitted */
};

struct demo {
	struct rng rng;                                  /* the one source of randomness */
	int64_t start_ms;                                /* window start: now - 60 days */
	int64_t now_ms;                                  /* nothing happens later */
	struct merchant merchants[N_MERCHANTS];
	struct listing listings[MAX_LISTINGS];
	int n_listings;
	struct consumer consumers[N_CONSUMERS];
	struct order orders[N_ORDERS];                   /* sorted by paid_ms */
	struct timed events[N_ORDERS * MAX_EVENTS];      /* logistics, not yet sorted */
	int n_events;
	struct timed messages[N_ORDERS * MAX_CHAT];      /* chats, not yet sorted */
	int n_messages;
};

_Static_assert(N_ELEM(brands) >= N_MERCHANTS, "a trade name per merchant");

/* ---- helpers ---- */

/* A whole second in [lo, hi]; the interval must hold one. */
static int64_t draw_time(struct demo *d, int64_t lo, int64_t hi)
{
	int64_t lo_s = (lo + SEC_MS - 1) / SEC_MS, hi_s = hi / SEC_MS;

	assert(lo_s <= hi_s);
	return rng_range(&d->rng, lo_s, hi_s) * SEC_MS;
}

/* `t` plus lo_s to hi_s seconds. */
static int64_t later(struct demo *d, int64_t t, int64_t lo_s, int64_t hi_s)
{
	return t + rng_range(&d->rng, lo_s, hi_s) * SEC_MS;
}

static void beijing_tm(int64_t ms, struct tm *tm)
{
	time_t t = (time_t)((ms + BEIJING_MS) / SEC_MS);

	gmtime_r(&t, tm);
}

static json_t *money(int64_t fen)
{
	return jx_money_json(fen, "CNY");
}

/* Append `rec` (stolen) to `out`: -1 if `rec` is NULL or appending fails. */
static int push(json_t *out, json_t *rec)
{
	if (!rec)
		return -1;
	return json_array_append_new(out, rec) ? -1 : 0;
}

/* Keep `rec` (stolen) for time-ordered output: -1 if it is NULL. */
static int timed_add(struct timed *v, int *n, int64_t at, json_t *rec)
{
	if (!rec)
		return -1;
	v[*n].at = at;
	v[*n].seq = *n;
	v[*n].rec = rec;
	(*n)++;
	return 0;
}

static int timed_cmp(const void *a, const void *b)
{
	const struct timed *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Sort `v` by time and move its records to `out`. */
static int timed_flush(json_t *out, struct timed *v, int n)
{
	json_t *rec;
	int i;

	qsort(v, (size_t)n, sizeof(v[0]), timed_cmp);
	for (i = 0; i < n; i++) {
		rec = v[i].rec;
		v[i].rec = NULL;
		if (push(out, rec))
			return -1;
	}
	return 0;
}

struct person {
	const struct name_part *surname;
	const struct name_part *given;
	int female;
};

static void person_pick(struct rng *r, struct person *p)
{
	p->female = rng_percent(r, 50);
	p->surname = &PICK(r, surnames);
	p->given = p->female ? &PICK(r, female_names) : &PICK(r, male_names);
}

static void mobile(struct rng *r, char *out, size_t n)
{
	const char *prefix = PICK(r, mobile_prefixes);

	sfmt(out, n, "%s%08u", prefix, rng_below(r, 100000000));
}

static void landline(struct rng *r, const struct place *p, char *out, size_t n)
{
	unsigned first = 2 + rng_below(r, 7);
	unsigned rest = rng_below(r, p->local_digits == 8 ? 10000000 : 1000000);

	if (p->local_digits == 8)
		sfmt(out, n, "%s-%u%07u", p->area, first, rest);
	else
		sfmt(out, n, "%s-%u%06u", p->area, first, rest);
}

static int leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * An 18-character resident ID number (GB 11643): birthplace, date of birth
 * (1968-2001), order code whose last digit is odd for men and even for
 * women, check character.
 */
static void resident_id(struct rng *r, int female, char out[19])
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const char *area = PICK(r, birthplaces);
	int y = 1968 + (int)rng_below(r, 34);
	int m = 1 + (int)rng_below(r, 12);
	int day = 1 + (int)rng_below(r, (uint32_t)(mdays[m - 1] + (m == 2 && leap_year(y))));
	unsigned seq = rng_below(r, 100);
	unsigned sex = 2 * rng_below(r, 5) + (female ? 0 : 1);

	sfmt(out, 19, "%s%04d%02d%02d%02u%u", area, y, m, day, seq, sex);
	out[17] = idcheck_resident_check_char(out);
	out[18] = '\0';
	assert(out[17]);
}

/*
 * A 9-character organisation code (GB 11714) with its own check character:
 * either an old 8-digit code or a newer "MA" one.
 */
static void org_code(struct rng *r, char out[10])
{
	static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
	int i, sum = 0, c;

	if (rng_percent(r, 60)) {
		out[0] = 'M';
		out[1] = 'A';
		for (i = 2; i < 8; i++)
			out[i] = set[rng_below(r, sizeof(set) - 1)];
	} else {
		out[0] = (char)('1' + rng_below(r, 7));
		for (i = 1; i < 8; i++)
			out[i] = (char)('0' + rng_below(r, 10));
	}
	for (i = 0; i < 8; i++)
		sum += w[i] * (out[i] <= '9' ? out[i] - '0' : out[i] - 'A' + 10);
	c = 11 - sum % 11;
	out[8] = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
	out[9] = '\0';
}

/*
 * An 18-character unified social credit code (GB 32100): '9' (registered by
 * market regulation), `type` ('1' enterprise, '2' 个体工商户), the
 * registration division, the organisation code, the check character.
 */
static void uscc(struct rng *r, const char *division, char type, char out[19])
{
	char org[10];

	org_code(r, org);
	sfmt(out, 19, "9%c%s%s", type, division, org);
	out[17] = idcheck_uscc_check_char(out);
	out[18] = '\0';
	assert(out[17]);
}

static int carrier_pick(struct rng *r)
{
	uint32_t total = 0, k;
	int i;

	for (i = 0; i < CAR_COUNT; i++)
		total += (uint32_t)carriers[i].share;
	k = rng_below(r, total);
	for (i = 0; i < CAR_COUNT - 1; i++) {
		if (k < (uint32_t)carriers[i].share)
			break;
		k -= (uint32_t)carriers[i].share;
	}
	return i;
}

/* A tracking number in the carrier's own format. */
static void tracking_number(struct rng *r, int carrier, char *out, size_t n)
{
	unsigned a = rng_below(r, 1000000), b = rng_below(r, 1000000);
	unsigned c = rng_below(r, 12);

	switch (carrier) {
	case CAR_SF:
		sfmt(out, n, "SF1%06u%06u", a, b);
		break;
	case CAR_ZTO:
		sfmt(out, n, "7%c%06u%06u", "358"[c % 3], a, b);
		break;
	case CAR_YTO:
		sfmt(out, n, "YT%u%06u%06u", 6 + c % 4, a, b);
		break;
	case CAR_YUNDA:
		sfmt(out, n, "4%u%05u%06u", 3 + c % 4, a % 100000, b);
		break;
	case CAR_JD:
		sfmt(out, n, "JDV%c%05u%06u", 'A' + (int)(c % 5), a % 100000, b);
		break;
	default:
		sfmt(out, n, "11%05u%06u", a % 100000, b);
		break;
	}
}

/* A shop price in fen: whole yuan ending in 9, small ones sometimes x9.90. */
static int64_t price_pick(struct rng *r, int64_t lo, int64_t hi)
{
	int64_t yuan;
	int cents;

	if (lo == hi)
		return lo;
	yuan = rng_range(r, lo, hi) / 100;
	cents = rng_percent(r, 50) ? 90 : 0;
	yuan = yuan - yuan % 10 + 9;
	return yuan * 100 + (yuan < 100 ? cents : 0);
}

/* The price of version 2: 8-20% less, or 5-15% more. */
static int64_t price_revise(struct rng *r, int64_t price, int up)
{
	int64_t pct = up ? rng_range(r, 105, 115) : rng_range(r, 80, 92);
	int64_t yuan = price * pct / 100 / 100, p;

	if (yuan < 1)
		yuan = 1;
	p = yuan * 100 + price % 100;
	if (p == price)
		p = up ? p + 100 : p - 100;
	return p > 0 ? p : price + 100;
}

/* ---- merchants ---- */

static json_t *merchant_record(struct demo *d, const struct merchant *m, int i,
			       const struct name_part *brand)
{
	struct rng *r = &d->rng;
	const struct place *p = &places[m->place];
	const struct category *c = &categories[m->cat];
	int individual = i % 3 == 2, sole = !individual && i % 12 == 0;
	int has_email = i % 10 != 7;
	const char *street = p->street[rng_below(r, 2)];
	unsigned number = 1 + rng_below(r, 600), floor = 2 + rng_below(r, 25);
	unsigned room = 1 + rng_below(r, 20), k = rng_below(r, 100);
	char name[256], id[19], addr[512], phone[48], email[128];
	struct person who;

	if (individual) {
		unsigned building = 1 + rng_below(r, 30), unit = 1 + rng_below(r, 4);
		const char *community = PICK(r, communities);
		unsigned qq = 10000000 + rng_below(r, 1990000000);
		unsigned year = rng_below(r, 100);

		person_pick(r, &who);
		sfmt(name, sizeof(name), "%s%s", who.surname->han, who.given->han);
		resident_id(r, who.female, id);
		sfmt(addr, sizeof(addr), "%s%s%s%u号%s%u幢%u单元%u室", p->region,
		     p->district, street, number, community, building, unit,
		     floor * 100 + room % 4 + 1);
		mobile(r, phone, sizeof(phone));
		if (k < 40)
			sfmt(email, sizeof(email), "%s%s%02u@163.com", who.surname->py,
			     who.given->py, year);
		else if (k < 80)
			sfmt(email, sizeof(email), "%u@qq.com", qq);
		else
			sfmt(email, sizeof(email), "%s.%s@126.com", who.given->py,
			     who.surname->py);
	} else {
		const char *industry = PICK(r, c->industry);
		int with_district = strncmp(p->district, p->city, strlen(p->city)) != 0 &&
				    rng_percent(r, 40);

		uscc(r, p->code, sole ? '2' : '1', id);
		if (sole)
			sfmt(name, sizeof(name), "%s%s%s", p->shop, brand->han, c->shop);
		else if (with_district)
			sfmt(name, sizeof(name), "%s%s%s%s有限公司", p->city, p->district,
			     brand->han, industry);
		else
			sfmt(name, sizeof(name), "%s%s%s有限公司", p->city, brand->han, industry);
		if (sole)
			sfmt(addr, sizeof(addr), "%s%s%s%u号一楼商铺", p->region, p->district,
			     street, number);
		else
			sfmt(addr, sizeof(addr), "%s%s%s%u号%s%u室", p->region, p->district,
			     street, number, PICK(r, office_buildings), floor * 100 + room);
		if (sole || k < 25)
			mobile(r, phone, sizeof(phone));
		else if (k < 85)
			landline(r, p, phone, sizeof(phone));
		else
			sfmt(phone, sizeof(phone), "400-%03u-%04u", 600 + number % 300,
			     rng_below(r, 10000));
		if (k % 2)
			sfmt(email, sizeof(email), "service@%s%s.com", brand->py, c->domain);
		else
			sfmt(email, sizeof(email), "kefu@%s.cn", brand->py);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s*}}",
			 "type", "merchant", "external_id", m->ext,
			 "kind", individual ? "individual" : "company", "legal_name", name,
			 individual ? "id_number" : "uscc", id, "registered_address", addr,
			 "contact", "phone", phone, "email", has_email ? email : NULL);
}

static int gen_merchants(struct demo *d, json_t *out)
{
	struct rng *r = &d->rng;
	int cats[N_MERCHANTS], brand_of[N_ELEM(brands)], n = 0, c, k, i;
	unsigned shop_no = 10000;

	for (c = 0; c < CAT_COUNT; c++)
		for (k = 0; k < categories[c].merchants; k++)
			cats[n++] = c;
	assert(n == N_MERCHANTS);
	shuffle(r, cats, n);
	for (i = 0; i < (int)N_ELEM(brands); i++)
		brand_of[i] = i;
	shuffle(r, brand_of, (int)N_ELEM(brands));
	for (i = 0; i < N_MERCHANTS; i++) {
		struct merchant *m = &d->merchants[i];

		shop_no += 1 + rng_below(r, 400);
		sfmt(m->ext, sizeof(m->ext), "shop-%u", shop_no);
		m->cat = cats[i];
		m->place = (int)rng_below(r, N_ELEM(places));
		m->weight = 1 + (int)rng_below(r, 6);
		if (m->cat == CAT_BOOKS && rng_percent(r, 60))
			m->carrier = CAR_EMS;
		else
			m->carrier = carrier_pick(r);
		if (push(out, merchant_record(d, m, i, &brands[brand_of[i]])))
			return -1;
	}
	return 0;
}

/* ---- listings ---- */

static json_t *listing_record(const struct demo *d, const struct listing *l, int version)
{
	const struct product *p = &products[l->product];
	const char *extra = "";
	char title[512], desc[2048];

	if (version == 2 && l->revision == REV_CUT)
		extra = "【限时特惠】活动期间限时降价，售完即止。";
	else if (version == 2 && l->revision == REV_RAISE)
		extra = "【调价说明】因原材料及物流成本上涨，自即日起价格调整。";
	else if (version == 2)
		extra = l->note;
	sfmt(title, sizeof(title), "%s%s",
	     version == 2 && l->revision == REV_CUT ? "【限时特惠】" : "", p->title);
	sfmt(desc, sizeof(desc), "%s%s%s", p->desc, policy_text(p->excl), extra);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s*}",
			 "type", "listing", "external_id", l->ext,
			 "merchant", d->merchants[l->merchant].ext, "title", title,
			 "description", desc, "price", money(l->price[version - 1]),
			 "return_exclusion", p->excl);
}

static int gen_listings(struct demo *d, json_t *out)
{
	struct rng *r = &d->rng;
	int idx[N_ELEM(products)], revised[MAX_LISTINGS], n, i, k, t;

	for (i = 0; i < N_MERCHANTS; i++) {
		struct merchant *m = &d->merchants[i];

		n = 0;
		for (k = 0; k < (int)N_ELEM(products); k++)
			if (products[k].cat == m->cat)
				idx[n++] = k;
		shuffle(r, idx, n);
		m->first_listing = d->n_listings;
		m->n_listings = 3 + (int)rng_below(r, 3);
		assert(m->n_listings <= n);
		for (k = 0; k < m->n_listings; k++) {
			struct listing *l = &d->listings[d->n_listings++];
			const struct product *p = &products[idx[k]];

			l->merchant = i;
			l->product = idx[k];
			l->versions = 1;
			l->price[0] = price_pick(r, p->lo, p->hi);
			sfmt(l->ext, sizeof(l->ext), "sku-%s-%02d", m->ext + 5, k + 1);
			if (push(out, listing_record(d, l, 1)))
				return -1;
		}
	}

	for (i = 0; i < d->n_listings; i++)
		revised[i] = i;
	shuffle(r, revised, d->n_listings);
	for (i = 0; i < N_REVISED; i++) {
		struct listing *l = &d->listings[revised[i]];
		const struct product *p = &products[l->product];
		int kind = (int)rng_below(r, 3);

		l->versions = 2;
		l->revised_ms = draw_time(d, d->start_ms + 10 * DAY_MS, d->now_ms - 5 * DAY_MS);
		l->revision = p->lo == p->hi ? REV_NOTE : kind; /* face-value cards keep their price */
		l->note = p->cat == CAT_DIGITAL ? PICK(r, digital_notes) : PICK(r, physical_notes);
		if (l->revision == REV_NOTE)
			l->price[1] = l->price[0];
		else
			l->price[1] = price_revise(r, l->price[0], l->revision == REV_RAISE);
	}
	/* version 2 lines go out in the order they took effect */
	for (i = 1; i < N_REVISED; i++) {
		t = revised[i];
		for (k = i; k > 0 && d->listings[revised[k - 1]].revised_ms >
				      d->listings[t].revised_ms; k--)
			revised[k] = revised[k - 1];
		revised[k] = t;
	}
	for (i = 0; i < N_REVISED; i++)
		if (push(out, listing_record(d, &d->listings[revised[i]], 2)))
			return -1;
	return 0;
}

/* ---- consumers and orders ---- */

static void gen_consumers(struct demo *d)
{
	struct rng *r = &d->rng;
	unsigned used[N_CONSUMERS];
	struct person who;
	int i, k;

	for (i = 0; i < N_CONSUMERS; i++) {
		struct consumer *c = &d->consumers[i];

		for (;;) {
			used[i] = 1000000 + rng_below(r, 9000000);
			for (k = 0; k < i && used[k] != used[i]; k++)
				;
			if (k == i)
				break;
		}
		sfmt(c->ext, sizeof(c->ext), "u-%u", used[i]);
		person_pick(r, &who);
		sfmt(c->name, sizeof(c->name), "%s%s", who.surname->han, who.given->han);
		mobile(r, c->phone, sizeof(c->phone));
		c->city = (int)rng_below(r, N_ELEM(cities));
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* A payment time in the window, mostly not in the small hours of Beijing. */
static int64_t paid_time(struct demo *d)
{
	int64_t t = 0;
	int hour, tries;

	for (tries = 0; tries < 4; tries++) {
		t = draw_time(d, d->start_ms, d->now_ms);
		hour = (int)(((t + BEIJING_MS) / HOUR_MS) % 24);
		if (hour >= 8 || hour < 1 || !rng_percent(&d->rng, 80))
			break;
	}
	return t;
}

static int merchant_pick(struct demo *d)
{
	uint32_t total = 0, k;
	int i;

	for (i = 0; i < N_MERCHANTS; i++)
		total += (uint32_t)d->merchants[i].weight;
	k = rng_below(&d->rng, total);
	for (i = 0; i < N_MERCHANTS - 1; i++) {
		if (k < (uint32_t)d->merchants[i].weight)
			break;
		k -= (uint32_t)d->merchants[i].weight;
	}
	return i;
}

/* Channel and a transaction id in that channel's format (dates in Beijing time). */
static const char *payment_pick(struct rng *r, int64_t paid_ms, char *txn, size_t n)
{
	unsigned k = rng_below(r, 100), a = rng_below(r, 100000);
	unsigned b = rng_below(r, 100000), c = rng_below(r, 100000);
	struct tm tm;

	beijing_tm(paid_ms, &tm);
	if (k < 50) {
		sfmt(txn, n, "%04d%02d%02d22001%05u%05u%05u", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday, a, b, c);
		return "alipay";
	}
	if (k < 88) {
		sfmt(txn, n, "4200%06u%04d%02d%02d%05u%05u", 1000 + a % 2000,
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, b, c);
		return "wechat_pay";
	}
	sfmt(txn, n, "%04d%02d%02d%02d%02d%02d%07u", tm.tm_year + 1900, tm.tm_mon + 1,
	     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (a * 100 + b % 100) % 10000000);
	return "unionpay";
}

static json_t *order_record(const struct demo *d, const struct order *o,
			    const char *channel, const char *txn)
{
	const struct consumer *c = &d->consumers[o->consumer];
	json_t *items, *item;
	int k;

	items = json_array();
	if (!items)
		return NULL;
	for (k = 0; k < o->n_items; k++) {
		const struct listing *l = &d->listings[o->listing[k]];
		json_t *price = money(l->price[o->version[k] - 1]);

		if (o->version[k] < l->versions) /* an older version than the newest */
			item = json_pack("{s:s, s:i, s:i, s:o}", "listing", l->ext,
					 "listing_version", o->version[k],
					 "quantity", o->quantity[k], "unit_price", price);
		else
			item = json_pack("{s:s, s:i, s:o}", "listing", l->ext,
					 "quantity", o->quantity[k], "unit_price", price);
		if (push(items, item)) {
			json_decref(items);
			return NULL;
		}
	}
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:o, s:o, s:o, s:{s:s, s:s}}",
			 "type", "order", "external_id", o->ext,
			 "consumer", "external_id", c->ext, "name", c->name, "phone", c->phone,
			 "merchant", d->merchants[o->merchant].ext, "items", items,
			 "total", money(o->total), "paid_at", jx_time_json(o->paid_ms),
			 "payment", "channel", channel, "transaction_id", txn);
}

static int gen_orders(struct demo *d, json_t *out)
{
	struct rng *r = &d->rng;
	int64_t paid[N_ORDERS];
	int who[N_ORDERS], pool[5], i, k, n;
	const char *channel;
	char txn[40];
	struct tm tm;

	for (i = 0; i < N_ORDERS; i++)
		paid[i] = paid_time(d);
	qsort(paid, N_ORDERS, sizeof(paid[0]), cmp_i64);
	/* everyone orders at least once; low-numbered consumers are the regulars */
	for (i = 0; i < N_ORDERS; i++) {
		unsigned a = rng_below(r, N_CONSUMERS), b = rng_below(r, N_CONSUMERS);

		who[i] = i < N_CONSUMERS ? i : (int)(a < b ? a : b);
	}
	shuffle(r, who, N_ORDERS);

	for (i = 0; i < N_ORDERS; i++) {
		struct order *o = &d->orders[i];
		const struct merchant *m;
		unsigned size = rng_below(r, 100);

		o->paid_ms = paid[i];
		o->consumer = who[i];
		o->merchant = merchant_pick(d);
		m = &d->merchants[o->merchant];
		n = size < 68 ? 1 : size < 90 ? 2 : 3;
		assert(n <= m->n_listings);
		for (k = 0; k < m->n_listings; k++)
			pool[k] = m->first_listing + k;
		shuffle(r, pool, m->n_listings);
		o->n_items = n;
		o->total = 0;
		for (k = 0; k < n; k++) {
			const struct listing *l = &d->listings[pool[k]];
			const struct product *p = &products[l->product];
			unsigned q = rng_below(r, 100), bulk = rng_below(r, 21);

			o->listing[k] = pool[k];
			o->version[k] = l->versions == 2 && o->paid_ms < l->revised_ms ? 1 : l->versions;
			if (p->min_qty > 1)
				o->quantity[k] = p->min_qty + (int)bulk;
			else if (l->price[0] >= 50000)
				o->quantity[k] = 1;
			else
				o->quantity[k] = q < 80 ? 1 : q < 95 ? 2 : 3;
			o->total += o->quantity[k] * l->price[o->version[k] - 1];
		}
		beijing_tm(o->paid_ms, &tm);
		sfmt(o->ext, sizeof(o->ext), "T%04d%02d%02d%02d%02d%02d%03d", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, i);
		channel = payment_pick(r, o->paid_ms, txn, sizeof(txn));
		if (push(out, order_record(d, o, channel, txn)))
			return -1;
	}
	return 0;
}

/* ---- logistics ---- */

enum { EV_SHIPPED, EV_TRANSIT, EV_DELIVERED, EV_SIGNED, EV_RETURNED, EV_LOST };

static const char *const event_status[] = {
	"shipped", "in_transit", "delivered", "signed", "returned", "lost",
};

/*
 * Record logistics event `ev` of `o` at `at`, unless that is after now.
 * Returns 0 when recorded, 1 when it lies in the future (the chain stops
 * there), -1 on allocation failure.
 */
static int add_event(struct demo *d, struct order *o, int ev, int64_t at,
		     const char *location, const char *detail)
{
	json_t *rec;

	if (at > d->now_ms)
		return 1;
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s}",
			"type", "logistics", "order", o->ext,
			"carrier", carriers[o->carrier].name, "tracking_number", o->tracking,
			"status", event_status[ev], "occurred_at", jx_time_json(at),
			"location", location, "detail", detail);
	if (timed_add(d->events, &d->n_events, at, rec))
		return -1;
	switch (ev) {
	case EV_SHIPPED:
		o->shipped_ms = at;
		break;
	case EV_TRANSIT:
		o->transit_ms = at;
		break;
	case EV_DELIVERED:
		o->delivered_ms = at;
		break;
	case EV_SIGNED:
		o->signed_ms = at;
		break;
	case EV_RETURNED:
		o->returned_ms = at;
		break;
	default:
		o->lost_ms = at;
		break;
	}
	return 0;
}

static int is_excl(const char *excl, const char *what)
{
	return excl && !strcmp(excl, what);
}

/* How the order's parcel ends up. */
enum { FATE_DONE, FATE_UNSHIPPED, FATE_STALLED, FATE_LOST, FATE_RETURNED };

/* The tracking history of a physical order, up to now. 0 or -1 (no memory). */
static int gen_logistics(struct demo *d, struct order *o)
{
	struct rng *r = &d->rng;
	const struct merchant *m = &d->merchants[o->merchant];
	const struct place *from = &places[m->place];
	const char *excl = products[d->listings[o->listing[0]].product].excl;
	const char *to = cities[d->consumers[o->consumer].city];
	const char *route[3], *hub, *courier, *mid;
	unsigned f = rng_below(r, 100), hops = 2 + rng_below(r, 2), other = rng_below(r, 100);
	char loc[128], detail[512];
	int fate, k, j, rc;
	int64_t t;

	if (m->cat == CAT_DIGITAL)
		return 0; /* cards are delivered in the order page, not by carrier */
	fate = f < 4 ? FATE_UNSHIPPED : f < 13 ? FATE_STALLED : f < 16 ? FATE_LOST :
	       f < 19 ? FATE_RETURNED : FATE_DONE;
	if (fate == FATE_UNSHIPPED)
		return 0;
	if (is_excl(excl, "perishable"))
		o->carrier = other < 70 ? CAR_SF : CAR_JD; /* cold chain */
	else if (is_excl(excl, "periodical"))
		o->carrier = CAR_EMS;
	else
		o->carrier = other < 85 ? m->carrier : carrier_pick(r);
	tracking_number(r, o->carrier, o->tracking, sizeof(o->tracking));
	o->station = (int)rng_below(r, N_ELEM(stations));
	hub = carriers[o->carrier].hub;
	courier = PICK(r, surnames).han;
	mid = PICK(r, hub_cities);

	if (is_excl(excl, "custom"))
		t = later(d, o->paid_ms, 2 * 86400, 6 * 86400); /* made to order first */
	else if (is_excl(excl, "perishable"))
		t = later(d, o->paid_ms, 3600, 10 * 3600);
	else
		t = later(d, o->paid_ms, 2 * 3600, 40 * 3600);
	sfmt(loc, sizeof(loc), "%s%s", from->region, from->district);
	sfmt(detail, sizeof(detail), "%s已揽收，揽收员：%s师傅", carriers[o->carrier].name,
	     courier);
	rc = add_event(d, o, EV_SHIPPED, t, loc, detail);
	if (rc)
		return rc < 0 ? -1 : 0;

	/* origin hub, perhaps a hub on the way, destination hub */
	k = 0;
	route[k++] = from->city;
	if (strcmp(from->city, to)) {
		if (hops == 3 && strcmp(mid, from->city) && strcmp(mid, to))
			route[k++] = mid;
		route[k++] = to;
	}
	for (j = 0; j < k; j++) {
		t = later(d, t, 3 * 3600, 20 * 3600);
		sfmt(loc, sizeof(loc), "%s市", route[j]);
		if (j + 1 < k)
			sfmt(detail, sizeof(detail), "快件已从【%s%s】发出，下一站【%s%s】",
			     route[j], hub, route[j + 1], hub);
		else
			sfmt(detail, sizeof(detail), "快件已到达【%s%s】", route[j], hub);
		rc = add_event(d, o, EV_TRANSIT, t, loc, detail);
		if (rc)
			return rc < 0 ? -1 : 0;
	}

	if (fate == FATE_STALLED)
		return 0;
	if (fate == FATE_LOST) {
		t = later(d, t, 86400, 4 * 86400);
		sfmt(detail, sizeof(detail), "快件在【%s%s】中转时遗失，已登记理赔，给您带来不便深表歉意",
		     route[k - 1], hub);
		return add_event(d, o, EV_LOST, t, loc, detail) < 0 ? -1 : 0;
	}
	sfmt(loc, sizeof(loc), "%s市", to);
	if (fate == FATE_RETURNED) {
		t = later(d, t, 86400, 3 * 86400);
		return add_event(d, o, EV_RETURNED, t, loc, PICK(r, returned_details)) < 0 ? -1 : 0;
	}
	t = later(d, t, 4 * 3600, 20 * 3600);
	sfmt(detail, sizeof(detail), "快件已送达【%s】，请凭取件码及时领取",
	     stations[o->station]);
	rc = add_event(d, o, EV_DELIVERED, t, loc, detail);
	if (rc)
		return rc < 0 ? -1 : 0;
	t = later(d, t, 600, 40 * 3600);
	return add_event(d, o, EV_SIGNED, t, loc, PICK(r, signed_details)) < 0 ? -1 : 0;
}

/* ---- chats ---- */

/* Whether the order has got to the point where a chat of `anchor` starts. */
static int anchor_reached(const struct demo *d, const struct order *o, int anchor)
{
	switch (anchor) {
	case AT_PAID:
		return 1;
	case AT_SHIPPED:
		return o->shipped_ms != 0;
	case AT_SIGNED:
		return o->signed_ms != 0;
	case AT_STALLED:
		return o->transit_ms && !o->delivered_ms && !o->lost_ms && !o->returned_ms &&
		       d->now_ms - o->transit_ms > 3 * DAY_MS + HOUR_MS;
	case AT_LOST:
		return o->lost_ms != 0;
	case AT_RETURNED:
		return o->returned_ms != 0;
	default:
		return !o->shipped_ms && d->merchants[o->merchant].cat != CAT_DIGITAL &&
		       d->now_ms - o->paid_ms > 3 * DAY_MS + HOUR_MS;
	}
}

static int chat_fits(const struct demo *d, const struct order *o, const struct chat *c)
{
	const char *excl = products[d->listings[o->listing[0]].product].excl;

	if (!(c->cats & CAT_BIT(d->merchants[o->merchant].cat)))
		return 0;
	if ((c->excl == EX_NONE && excl) || (c->excl == EX_SOME && !excl) ||
	    (c->excl == EX_PERISHABLE && !is_excl(excl, "perishable")))
		return 0;
	return anchor_reached(d, o, c->anchor);
}

/* When a chat of `anchor` starts; anchor_reached must hold. */
static int64_t anchor_time(struct demo *d, const struct order *o, int anchor)
{
	int64_t base;

	switch (anchor) {
	case AT_PAID:
		return o->paid_ms;
	case AT_SHIPPED:
		return o->shipped_ms;
	case AT_SIGNED:
		return o->signed_ms;
	case AT_LOST:
		return o->lost_ms;
	case AT_RETURNED:
		return o->returned_ms;
	default:
		/* three to five days of silence, but not past now */
		base = anchor == AT_STALLED ? o->transit_ms : o->paid_ms;
		return draw_time(d, base + 3 * DAY_MS,
				 base + 5 * DAY_MS < d->now_ms - HOUR_MS ? base + 5 * DAY_MS
									 : d->now_ms - HOUR_MS);
	}
}

/* Write `tpl` into `out` with each {key} replaced by vals[key]. */
static void chat_expand(char *out, size_t n, const char *tpl, const char *const vals[CV_COUNT])
{
	size_t len = 0, klen, vlen;
	const char *p = tpl, *end;
	int k;

	while (*p) {
		if (*p != '{') {
			assert(len + 1 < n);
			out[len++] = *p++;
			continue;
		}
		end = strchr(p, '}');
		assert(end);
		klen = (size_t)(end - p - 1);
		for (k = 0; k < CV_COUNT; k++)
			if (strlen(chat_keys[k]) == klen && !memcmp(p + 1, chat_keys[k], klen))
				break;
		assert(k < CV_COUNT && vals[k]);
		vlen = strlen(vals[k]);
		assert(len + vlen < n);
		memcpy(out + len, vals[k], vlen);
		len += vlen;
		p = end + 1;
	}
	out[len] = '\0';
}

static const char *sender_name(char who)
{
	return who == 'c' ? "consumer" : who == 'm' ? "merchant" : "platform";
}

/* Maybe a conversation about `o`. 0 or -1 (no memory). */
static int gen_chat(struct demo *d, const struct order *o)
{
	struct rng *r = &d->rng;
	const struct listing *l = &d->listings[o->listing[0]];
	const struct product *p = &products[l->product];
	const struct category *cat = &categories[p->cat];
	const struct chat *c = NULL;
	const char *vars[CV_COUNT];
	char days[24], refund[32], return_no[24], text[4096];
	int64_t at[MAX_CHAT], t, part, base;
	int troubled, n, k, shown;
	uint32_t total = 0, w;

	troubled = anchor_reached(d, o, AT_STALLED) || anchor_reached(d, o, AT_LOST) ||
		   anchor_reached(d, o, AT_RETURNED) || anchor_reached(d, o, AT_UNSHIPPED);
	if (!rng_percent(r, troubled ? 85 : 36))
		return 0;
	for (k = 0; k < (int)N_ELEM(chats); k++)
		if (chat_fits(d, o, &chats[k]))
			total += (uint32_t)chats[k].weight;
	if (!total)
		return 0;
	w = rng_below(r, total);
	for (k = 0; k < (int)N_ELEM(chats); k++) {
		if (!chat_fits(d, o, &chats[k]))
			continue;
		c = &chats[k];
		if (w < (uint32_t)c->weight)
			break;
		w -= (uint32_t)c->weight;
	}
	assert(c);

	t = anchor_time(d, o, c->anchor);
	for (n = 0; n < MAX_CHAT && c->line[n].who; n++) {
		t = later(d, t, c->line[n].gap_lo * 60 + 5, c->line[n].gap_hi * 60 + 59);
		at[n] = t;
	}
	for (shown = 0; shown < n && at[shown] <= d->now_ms; shown++)
		;

	k = (int)rng_below(r, 2);
	vars[CV_ITEM] = p->item;
	vars[CV_CARRIER] = carriers[o->carrier].name;
	vars[CV_TRACKING] = o->tracking;
	vars[CV_DEFECT] = PICK(r, cat->defect);
	vars[CV_CLAIM] = cat->claim[k];
	vars[CV_REALITY] = cat->reality[k];
	vars[CV_STATION] = stations[o->station];
	vars[CV_EXCL] = excl_name(p->excl);
	tracking_number(r, CAR_ZTO, return_no, sizeof(return_no));
	vars[CV_RETURN_NO] = return_no;
	vars[CV_ENGRAVING] = PICK(r, engravings);
	base = c->anchor == AT_STALLED ? o->transit_ms : o->paid_ms;
	sfmt(days, sizeof(days), "%lld", (long long)((at[0] - base) / DAY_MS));
	vars[CV_DAYS] = days;
	part = o->quantity[0] * l->price[o->version[0] - 1] * 3 / 10;
	sfmt(refund, sizeof(refund), "%lld.%02lld", (long long)(part / 100),
	     (long long)(part % 100));
	vars[CV_REFUND] = refund;

	if (shown < 2)
		return 0; /* the conversation has barely begun */
	for (k = 0; k < shown; k++) {
		json_t *rec;

		chat_expand(text, sizeof(text), c->line[k].text, vars);
		rec = json_pack("{s:s, s:s, s:s, s:s, s:o}", "type", "message", "order", o->ext,
				"sender", sender_name(c->line[k].who), "text", text,
				"sent_at", jx_time_json(at[k]));
		if (timed_add(d->messages, &d->n_messages, at[k], rec))
			return -1;
	}
	return 0;
}

/* ---- the whole set ---- */

json_t *demo_records(uint32_t seed, int64_t now_ms)
{
	struct demo *d;
	json_t *out = NULL;
	int rc = -1, i;

	if (now_ms <= WINDOW_MS)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->rng.state = seed;
	d->now_ms = now_ms;
	d->start_ms = now_ms - WINDOW_MS;
	out = json_array();
	if (!out)
		goto out;

	gen_consumers(d);
	if (gen_merchants(d, out) || gen_listings(d, out) || gen_orders(d, out))
		goto out;
	for (i = 0; i < N_ORDERS; i++)
		if (gen_logistics(d, &d->orders[i]))
			goto out;
	for (i = 0; i < N_ORDERS; i++)
		if (gen_chat(d, &d->orders[i]))
			goto out;
	if (timed_flush(out, d->events, d->n_events) ||
	    timed_flush(out, d->messages, d->n_messages))
		goto out;
	rc = 0;
out:
	for (i = 0; i < d->n_events; i++)
		json_decref(d->events[i].rec);
	for (i = 0; i < d->n_messages; i++)
		json_decref(d->messages[i].rec);
	free(d);
	if (rc) {
		json_decref(out);
		out = NULL;
	}
	return out;
}

/* focus_baseline.c - keyword lists per class: the baseline the focus model is measured against, and features the model may use. */
#include "assist/focus_int.h"

#include <glib.h>
#include <string.h>

/*
 * The lists were written from the taxonomy's definitions
 * (shared/data/focus/README.md), before any measurement, and are not tuned
 * on the labelled data: they stand for the rules a person would write first.
 * Keywords are in normalised form (lowercase, half-width), at most
 * FOCUS_MAX_KEYWORDS a list. A model trained with keyword features keeps
 * its own copy of the lists, so editing them changes only new models.
 */
static const char *const kw_not_received[] = {
	"没收到", "未收到", "没有收到", "还没到", "没到货", "物流", "快递", "发货", "送货",
	"运输", "破损", "压坏", "压扁", "摔坏", "漏了", "丢件", "丢失", "配送", NULL,
};
static const char *const kw_not_as_described[] = {
	"不符", "不一样", "与描述", "和描述", "图片", "发错", "少了", "漏发", "缺少", "少发",
	"赠品", "尺码", "颜色不", "型号不", "版本", "货不对板", "不是我要的", NULL,
};
static const char *const kw_quality[] = {
	"质量", "坏了", "故障", "死机", "烂了", "不能用", "用不了", "开线", "掉色", "褪色",
	"起球", "坏果", "黑屏", "重启", "毛病", "返修", "做工", "破了", NULL,
};
static const char *const kw_counterfeit[] = {
	"假货", "假的", "盗版", "翻新", "二手", "仿冒", "山寨", "伪劣", "冒牌", "不是正品",
	"高仿", NULL,
};
static const char *const kw_false_advertising[] = {
	"虚假宣传", "夸大", "宣传", "广告", "名不副实", "言过其实", "忽悠", "欺骗", "骗人", NULL,
};
static const char *const kw_price[] = {
	"价格", "降价", "差价", "发票", "涨价", "保价", "优惠", "便宜了", "多收", "多花",
	"原价", NULL,
};
static const char *const kw_after_sales[] = {
	"客服", "售后", "退货", "退款", "换货", "保修", "安装", "态度", "不理", "投诉", "维修",
	"不给退", "不给换", NULL,
};
static const char *const kw_safety[] = {
	"过敏", "起疹", "痒", "中毒", "安全", "漏电", "烫伤", "爆炸", "拉肚子", "腹泻", "异物",
	"有害", "致癌", "三聚氰胺", "头疼", "呕吐", NULL,
};

/* The classes that have lists, the more specific first: ties go to the earlier. */
static const struct {
	int cls;
	const char *const *words;
} lists[] = {
	{FOCUS_SAFETY, kw_safety},
	{FOCUS_COUNTERFEIT, kw_counterfeit},
	{FOCUS_NOT_RECEIVED, kw_not_received},
	{FOCUS_NOT_AS_DESCRIBED, kw_not_as_described},
	{FOCUS_PRICE, kw_price},
	{FOCUS_AFTER_SALES, kw_after_sales},
	{FOCUS_FALSE_ADVERTISING, kw_false_advertising},
	{FOCUS_QUALITY, kw_quality},
};

const char *const *focus_keywords(int cls)
{
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (lists[i].cls == cls)
			return lists[i].words;
	return NULL;
}

int focus_baseline(const char *text, size_t len)
{
	int best = FOCUS_NO_CLAIM, best_hits = 0, hits;
	size_t i, j, nlen;
	char *norm;

	norm = focus_normalize(text, len, &nlen);
	if (!norm)
		return -1;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		hits = 0;
		for (j = 0; lists[i].words[j]; j++)
			hits += strstr(norm, lists[i].words[j]) != NULL;
		if (hits > best_hits) {
			best_hits = hits;
			best = lists[i].cls;
		}
	}
	g_free(norm);
	return best;
}

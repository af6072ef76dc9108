/* demo_disputes.c - disputes in every state for `disputed demo`, played out over the demo orders' past. */
#include "cli/demo_disputes.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/dispute.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "funds/funds.h"
#include "ingest/ingest.h"
#include "risk/consumer.h"
#include "risk/risk.h"

#define MIN_MS (60LL * 1000)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)

/* Offsets in the scripts are in minutes. */
#define H(n) ((n) * 60)
#define D(n) ((n) * 1440)

#define MAX_BEATS 12
#define TEXT_MAX 2048

/* What an order's story is, as demo_data.c writes its chats and deliveries. */
enum kind {
	K_QUALITY,      /* "收到的…有问题：…" */
	K_NAD,          /* not as described */
	K_SIGNED_NR,    /* signed for, not received */
	K_STALLED,      /* tracking stopped moving */
	K_LOST,         /* the carrier lost it */
	K_RETURNED,     /* sent back to the merchant */
	K_UNSHIPPED,    /* never shipped */
	K_CARD_USED,    /* a download card that does not work */
	K_CARD_NAD,     /* a download card not as described */
	K_ENGRAVING,    /* custom goods made wrong */
	K_EXCLUDED,     /* a return the merchant refused: the goods are excluded */
	K_RETURN_CHAT,  /* asked about a no-reason return */
	K_SIGNED_QUIET, /* signed for, no chat: fit for a no-reason return */
	K__COUNT
};

#define KB(k) (1u << (k))
#define KS_NOT_RECEIVED \
	(KB(K_SIGNED_NR) | KB(K_STALLED) | KB(K_LOST) | KB(K_RETURNED) | KB(K_UNSHIPPED))
#define KS_SHIPPED_NR (KB(K_SIGNED_NR) | KB(K_STALLED) | KB(K_LOST) | KB(K_RETURNED))
#define KS_DEFECT (KB(K_QUALITY) | KB(K_CARD_USED) | KB(K_ENGRAVING))
#define KS_MISDESCRIBED (KB(K_NAD) | KB(K_CARD_NAD) | KB(K_ENGRAVING))
#define KS_COMPLAINT (KS_NOT_RECEIVED | KS_DEFECT | KS_MISDESCRIBED)
#define KS_RETURN (KB(K_RETURN_CHAT) | KB(K_SIGNED_QUIET))

struct kind_info {
	const char *marker; /* words of the consumer's first chat message that mark it */
	const char *reason; /* the dispute's reason */
	const char *claim;  /* the claim's type */
	const char *code;   /* the decision reason code that upholds the claim */
	const char *intro;  /* how the description starts */
};

static const struct kind_info kinds[K__COUNT] = {
	[K_QUALITY] = {"有问题：", "quality", "return_refund", "quality_defect",
		       "收到的商品有质量问题，和商家沟通没有结果。"},
	[K_NAD] = {"和页面描述不一样", "not_as_described", "return_refund", "not_as_described",
		   "收到的商品与商品页面的描述不符，页面截图已经保存。"},
	[K_SIGNED_NR] = {"根本没收到", "not_received", "refund", "delivery_signed_not_received",
			 "物流显示已签收，但本人没有收到包裹，也没有授权任何人代收。"},
	[K_STALLED] = {"没有物流更新", "not_received", "refund", "not_delivered",
		       "物流信息多日没有更新，包裹至今没有送到。"},
	[K_LOST] = {"弄丢了", "not_received", "refund", "not_delivered",
		    "快递公司已确认包裹遗失，商家却要等快递理赔下来才肯退款。"},
	[K_RETURNED] = {"被退回了", "not_received", "refund", "not_delivered",
			"本人没有拒收，包裹却被退回了商家，商家要我补运费才肯重发。"},
	[K_UNSHIPPED] = {"怎么还不发货", "not_received", "refund", "not_delivered",
			 "付款多日商家一直没有发货，下单时页面显示有现货。"},
	[K_CARD_USED] = {"卡密兑换的时候提示", "quality", "refund", "quality_defect",
			 "购买的卡密无法兑换，商家以虚拟商品不退不换为由拒绝处理。"},
	[K_CARD_NAD] = {"你们页面写的是", "false_advertising", "refund", "false_advertising",
			"卡密的实际权益与商品页面写的不一致。"},
	[K_ENGRAVING] = {"内容做错了", "not_as_described", "refund", "not_as_described",
			 "定制内容与订单备注不一致，是商家制作出错。"},
	[K_EXCLUDED] = {"跟我想的不太一样", "after_sales", "return_refund", "after_sales_refused",
			"商品与预期不符，还没有使用过，商家以不支持七天无理由退货为由拒绝退货。"},
	[K_RETURN_CHAT] = {"七天无理由退货可以吗", "other", "return_refund", NULL, NULL},
	[K_SIGNED_QUIET] = {NULL, "other", "return_refund", NULL, NULL},
};

/* Words that make a quality or description complaint serious (safety, counterfeit). */
static const struct {
	const char *marker;
	const char *reason;
	const char *code;
	const char *intro;
} serious[] = {
	{"仿品", "counterfeit", "counterfeit_goods", "怀疑收到的是假冒商品，与页面承诺的正品不符。"},
	{"盗版", "counterfeit", "counterfeit_goods", "收到的是盗版图书，与页面承诺的正版不符。"},
	{"烫得厉害", "safety", "safety_hazard", "商品充电时严重发烫，存在安全隐患，已经停止使用。"},
	{"焦糊味", "safety", "safety_hazard", "商品通电后有焦糊味并导致跳闸，存在安全隐患，已经停止使用。"},
	{"发霉", "safety", "safety_hazard", "收到的食品已经发霉，存在食品安全问题。"},
	{"异味", "safety", "safety_hazard", "收到的食品有明显异味，存在食品安全问题。"},
};

#define N_SERIOUS (sizeof(serious) / sizeof(serious[0]))

/* What an agent writes for a reason code, more particular than the rules' description. */
static const struct {
	const char *code;
	char cite;         /* which frozen records it cites: 'l'ogistics, 'L'isting, 'm'essages */
	const char *text;
} reason_texts[] = {
	{"quality_defect", 'm', "订单聊天记录显示消费者收货后即反映质量问题，商家未提供质检报告等证据证明商品合格。"},
	{"safety_hazard", 'm', "消费者反映的问题涉及人身、财产安全，商品不宜继续使用，依规则按严重纠纷优先处理。"},
	{"not_as_described", 'L', "冻结的商品页面版本与消费者收到的商品在关键属性上不一致。"},
	{"counterfeit_goods", 'L', "商家未能提供进货凭证或品牌授权，不能证明所售商品为正品。"},
	{"false_advertising", 'L', "冻结的商品页面所写权益与实际交付的不一致，构成虚假宣传。"},
	{"not_delivered", 'l', "冻结的物流记录中没有签收记录，商家未能证明商品已经交付。"},
	{"delivery_signed_not_received", 'l', "物流记录为代收点签收，消费者否认本人或授权他人签收，商家未提供签收凭证。"},
	{"after_sales_refused", 'm', "商家拒绝履行其承诺的售后义务。"},
	{"merchant_evidence_insufficient", 'm', "商家在答复期限内未提交足以反驳消费者主张的证据。"},
	{"consumer_evidence_insufficient", 'm', "消费者未能提供证据证明商品存在其所述问题，冻结的记录也不支持其主张。"},
	{"claim_exceeds_loss", 0, "商品仍可使用，按实际损失部分支持，酌定退款金额为请求金额的一部分。"},
	{"return_excluded_goods", 'L', "下单时冻结的商品页面已明确标注该商品不适用七天无理由退货。"},
};

/* ---- the scripts ---- */

/* Where a script's time is anchored. */
enum anchor {
	A_AGO,            /* `anchor_min` minutes before now */
	A_APPEAL_CLOSED,  /* the latest time whose appeal window closed `anchor_min` before now */
	A_REVIEW_OVERDUE, /* the latest time whose review deadline passed `anchor_min` before now */
	A_EXEC_OVERDUE    /* the latest decision whose execution deadline passed `anchor_min` before now */
};

/* What a beat's time counts from. */
enum from {
	B_ANCHOR, /* the scene's anchor */
	B_PREV,   /* the beat before (the anchor for the first) */
	B_DUE     /* the dispute's current deadline */
};

#define TIER_ANY (-1)

/* The first beat: the consumer opens the dispute, `min` minutes after the anchor. */
#define OPEN(m) {.from = B_ANCHOR, .min = (m), .who = 'c', .action = "open"}

/* One thing that happens in a dispute. */
struct beat {
	enum from from;
	int min;            /* minutes after `from` (may be negative with B_ANCHOR) */
	char who;           /* 'c' consumer, 'm' merchant, 'a' agent, 'p' the platform's logistics */
	const char *action; /* "open" (the first beat), a dispute_act action, or "return" (a
			       logistics event of the consumer's return); "return" and
			       "confirm_return" are skipped unless the dispute waits on a return */
	const char *arg;    /* responses: accept|counter|reject; decision: outcome; external: body;
			       return: the logistics status */
	const char *offer;  /* a counter-offer's type */
	int pct;            /* an offer's or decision's amount, percent of the claim */
	const char *text;   /* message; "{amount}" and "{ref}" are filled in */
	const char *codes;  /* decision reason codes, ';'-separated; "$claim" upholds the
			       claim's kind, "$reject" rejects it */
	const char *why;    /* the first reason's text, if not the usual one */
};

/* One dispute's story, from its opening to now. */
struct scene {
	const char *name;     /* what it shows */
	enum dispute_state end; /* the state it is meant to end in */
	unsigned kinds;       /* the orders it fits (KB bits) */
	unsigned alt;         /* second choice, or 0 */
	int tier;             /* enum rules_tier wanted, or TIER_ANY */
	enum anchor anchor;
	int anchor_min;       /* minutes, see enum anchor */
	struct beat beat[MAX_BEATS];
};

static const struct scene scenes[] = {
	{"fresh fast-lane claim", DISPUTE_AWAITING_MERCHANT, KS_DEFECT, 0, RULES_TIER_FAST_LANE,
	 A_AGO, H(20), {
		OPEN(0),
		{B_PREV, 50, 'c', "messages", .text = "补充一下：开箱照片和视频都已经发在订单聊天里，请商家直接查看。"},
	}},
	{"not received, merchant checking", DISPUTE_AWAITING_MERCHANT, KS_SHIPPED_NR, KS_NOT_RECEIVED,
	 RULES_TIER_STANDARD, A_AGO, H(30), {
		OPEN(0),
		{B_PREV, H(6), 'm', "messages", .text = "已联系快递公司核实包裹去向，核实结果出来后第一时间答复，请耐心等待。"},
		{B_PREV, H(2), 'c', "messages", .text = "请尽快处理，东西是急用的。"},
	}},
	{"serious claim, just opened", DISPUTE_AWAITING_MERCHANT, KS_DEFECT | KS_MISDESCRIBED, 0,
	 RULES_TIER_SERIOUS, A_AGO, H(9), {
		OPEN(0),
		{B_PREV, 30, 'c', "messages", .text = "实物和商品页面截图都保留着，平台需要的话可以随时提交或寄回检测。"},
	}},
	{"no-reason return, just opened", DISPUTE_AWAITING_MERCHANT, KS_RETURN, 0, TIER_ANY, A_AGO,
	 H(26), {
		OPEN(0),
		{B_PREV, H(3), 'm', "messages", .text = "收到退货申请。请保持商品及配件完好、不影响二次销售，我们确认后把退货地址发给您。"},
	}},

	{"counter-offer pending", DISPUTE_NEGOTIATING, KS_DEFECT | KS_MISDESCRIBED, 0,
	 RULES_TIER_STANDARD, A_AGO, H(60), {
		OPEN(0),
		{B_PREV, H(20), 'm', "responses", .arg = "counter", .offer = "compensation", .pct = 30,
		 .text = "商品不影响正常使用，我们愿意补偿{amount}元，商品无需退回。"},
		{B_PREV, H(6), 'c', "messages", .text = "补偿太少了，我再考虑一下。"},
	}},
	{"claim rejected, consumer to reply", DISPUTE_NEGOTIATING, KS_MISDESCRIBED, KS_DEFECT,
	 RULES_TIER_FAST_LANE, A_AGO, H(50), {
		OPEN(0),
		{B_PREV, H(10), 'm', "responses", .arg = "reject", .text = "页面信息仅供参考，不同批次存在差异，不属于描述不符。"},
		{B_PREV, H(5), 'c', "messages", .text = "商品页面写得清清楚楚，截图我已经保存，不接受这个说法。"},
		{B_PREV, H(3), 'm', "messages", .text = "我们以出厂质检结果为准。"},
	}},
	{"exchange offered", DISPUTE_NEGOTIATING, KS_DEFECT, 0, TIER_ANY, A_AGO, H(30), {
		OPEN(0),
		{B_PREV, H(4), 'm', "responses", .arg = "counter", .offer = "exchange", .pct = 100,
		 .text = "非常抱歉，给您换一个新的，来回运费由我们承担。"},
	}},

	{"escalated after a low offer", DISPUTE_PLATFORM_REVIEW, KS_MISDESCRIBED | KS_DEFECT, 0,
	 RULES_TIER_STANDARD, A_AGO, H(120), {
		OPEN(0),
		{B_PREV, H(28), 'm', "responses", .arg = "counter", .offer = "compensation", .pct = 20,
		 .text = "您可以保留商品，我们补偿{amount}元。"},
		{B_PREV, H(40), 'c', "escalate", .text = "商家只愿意补偿一小部分，问题是商家造成的，请平台处理。"},
		{B_PREV, H(5), 'm', "messages", .text = "商品出厂前都经过质检，质检报告编号QC-0457，请平台查看。"},
		{B_PREV, H(4), 'c', "messages", .text = "质检报告只能说明出厂批次，不能说明我收到的这一件没有问题。"},
	}},
	{"review overdue", DISPUTE_PLATFORM_REVIEW, KS_DEFECT | KS_MISDESCRIBED, 0, RULES_TIER_STANDARD,
	 A_REVIEW_OVERDUE, H(24), {
		OPEN(-H(52)),
		{B_PREV, H(8), 'm', "responses", .arg = "reject", .text = "经检测商品没有质量问题，问题是使用不当造成的，不同意退货。"},
		{B_ANCHOR, 0, 'c', "escalate", .text = "商家拒不处理，请平台介入。"},
		{B_PREV, H(6), 'm', "messages", .text = "我们已经提交了发货前的检测视频，请平台查看。"},
		{B_PREV, H(20), 'c', "messages", .text = "申请平台介入已经一天多了，请尽快给出结论。"},
	}},
	{"merchant silent, standard claim", DISPUTE_PLATFORM_REVIEW, KS_SHIPPED_NR, KS_NOT_RECEIVED,
	 RULES_TIER_STANDARD, A_AGO, H(70), {
		OPEN(0),
		{B_PREV, H(3), 'c', "messages", .text = "商家一直不回复，麻烦平台帮忙看一下物流记录。"},
		{B_DUE, H(3), 'c', "messages", .text = "补充说明：快递客服电话里也说查不到包裹的下落，请平台核实。"},
	}},
	{"serious claim, merchant silent", DISPUTE_PLATFORM_REVIEW, KS_DEFECT | KS_MISDESCRIBED, 0,
	 RULES_TIER_SERIOUS, A_AGO, H(64), {
		OPEN(0),
		{B_PREV, H(1), 'c', "messages", .text = "商品已经停止使用，实物保留着，平台需要的话可以寄回检测。"},
	}},

	{"merchant accepted, refunded once the return came back", DISPUTE_RESOLVED,
	 KS_DEFECT | KS_MISDESCRIBED, 0, RULES_TIER_FAST_LANE, A_AGO, H(80), {
		OPEN(0),
		{B_PREV, H(1), 'c', "messages", .text = "商品照片已经发在订单聊天里了。"},
		{B_PREV, H(6), 'm', "responses", .arg = "accept", .text = "非常抱歉给您带来不便，同意您的申请，请把商品寄回，收到后马上退款。"},
		{B_PREV, H(18), 'p', "return", .arg = "shipped"},
		{B_PREV, H(40), 'p', "return", .arg = "signed"},
		{B_PREV, H(4), 'm', "confirm_return", .text = "退货已收到，商品完好。"},
	}},
	{"agent decided with reasons", DISPUTE_DECIDED, KS_MISDESCRIBED | KS_DEFECT, 0,
	 RULES_TIER_STANDARD, A_AGO, D(7), {
		OPEN(0),
		{B_PREV, H(20), 'm', "responses", .arg = "reject", .text = "商品发货前检查过，没有问题，不同意退款。"},
		{B_PREV, H(10), 'c', "escalate", .text = "商家拒绝，请平台根据聊天记录和商品页面判断。"},
		{B_PREV, H(8), 'm', "messages", .text = "我们的商品都有出厂检验记录，消费者说的问题我们无法确认。"},
		{B_PREV, H(30), 'a', "decision", .arg = "full_refund", .codes = "$claim;merchant_evidence_insufficient"},
	}},
	{"fast lane granted on merchant silence", DISPUTE_DECIDED, KS_NOT_RECEIVED | KB(K_CARD_USED), 0,
	 RULES_TIER_FAST_LANE, A_AGO, H(90), {
		OPEN(0),
		{B_PREV, H(2), 'c', "messages", .text = "联系商家好几次都没有回复。"},
	}},

	{"replacement being carried out", DISPUTE_EXECUTING, KS_DEFECT | KS_MISDESCRIBED, 0,
	 RULES_TIER_STANDARD, A_APPEAL_CLOSED, H(8), {
		OPEN(-H(74)),
		{B_PREV, H(12), 'm', "responses", .arg = "reject", .text = "不同意，商品签收时是完好的，问题是收货后造成的。"},
		{B_PREV, H(14), 'c', "escalate", .text = "签收后马上就发现了问题，当时就在聊天里反映了，请平台处理。"},
		{B_PREV, H(4), 'm', "messages", .text = "请平台参考我们的发货检验记录。"},
		{B_ANCHOR, 0, 'a', "decision", .arg = "replace", .codes = "$claim;merchant_evidence_insufficient"},
	}},
	{"exchange agreed, being carried out", DISPUTE_EXECUTING, KS_DEFECT, 0, TIER_ANY,
	 A_AGO, H(20), {
		OPEN(-H(30)),
		{B_PREV, H(10), 'm', "responses", .arg = "counter", .offer = "exchange", .pct = 100,
		 .text = "非常抱歉，给您换一个新的，来回运费由我们承担。"},
		{B_PREV, H(6), 'c', "accept_offer", .arg = NULL},
	}},
	{"return signed for, merchant to confirm", DISPUTE_EXECUTING, KB(K_QUALITY) | KB(K_NAD),
	 KS_DEFECT | KS_MISDESCRIBED, TIER_ANY, A_AGO, H(70), {
		OPEN(0),
		{B_PREV, H(10), 'm', "responses", .arg = "accept", .text = "同意退货退款，退货地址已发到订单聊天。"},
		{B_PREV, H(20), 'p', "return", .arg = "shipped"},
		{B_PREV, H(1), 'c', "messages", .text = "已经寄回，中通快递单号{ref}。"},
		{B_PREV, H(30), 'p', "return", .arg = "signed"},
	}},
	{"execution overdue", DISPUTE_EXECUTING, KS_SHIPPED_NR, KS_NOT_RECEIVED, RULES_TIER_STANDARD,
	 A_EXEC_OVERDUE, D(1), {
		OPEN(-H(60)),
		{B_PREV, H(14), 'm', "responses", .arg = "reject", .text = "包裹的情况需要先和快递公司核实，暂不同意退款。"},
		{B_PREV, H(10), 'c', "escalate", .text = "包裹一直没有收到，商家却让我等，请平台处理。"},
		{B_ANCHOR, 0, 'a', "decision", .arg = "replace", .codes = "$claim;merchant_evidence_insufficient",
		 .why = "商家未能证明商品已经交付，应当补发商品。"},
	}},
	{"offer accepted, paid at once", DISPUTE_RESOLVED, KS_DEFECT | KS_MISDESCRIBED, 0,
	 TIER_ANY, A_AGO, H(20), {
		OPEN(-H(30)),
		{B_PREV, H(10), 'm', "responses", .arg = "counter", .offer = "compensation", .pct = 40,
		 .text = "商品还能继续使用的话，我们补偿{amount}元，您看可以吗？"},
		{B_PREV, H(2), 'c', "messages", .text = "同意这个方案，请尽快打款。"},
		{B_PREV, H(1), 'c', "accept_offer", .arg = NULL},
	}},

	{"partial refund carried out", DISPUTE_RESOLVED, KS_DEFECT | KS_MISDESCRIBED, 0,
	 RULES_TIER_FAST_LANE, A_APPEAL_CLOSED, D(3), {
		OPEN(-H(60)),
		{B_PREV, H(10), 'm', "responses", .arg = "reject", .text = "商品是正常使用损耗，不在售后范围内。"},
		{B_PREV, H(12), 'c', "escalate", .text = "才用了几天就出问题，不可能是正常损耗。"},
		{B_ANCHOR, 0, 'a', "decision", .arg = "partial_refund", .pct = 50, .codes = "claim_exceeds_loss;$claim"},
		{B_DUE, H(2), 'p', "return", .arg = "shipped"},
		{B_PREV, H(30), 'p', "return", .arg = "signed"},
		{B_PREV, H(20), 'm', "confirm_return", .arg = NULL},
	}},
	{"rejected, closed after the appeal window", DISPUTE_RESOLVED, KB(K_EXCLUDED), KS_DEFECT,
	 TIER_ANY, A_APPEAL_CLOSED, D(1), {
		OPEN(-H(50)),
		{B_PREV, H(6), 'm', "responses", .arg = "reject", .text = "商品页面已经写明售后条件，不同意退货。"},
		{B_PREV, H(20), 'c', "escalate", .text = "商家不同意，请平台处理。"},
		{B_PREV, H(3), 'm', "messages", .text = "下单时的商品页面已经写明，请平台查看页面记录。"},
		{B_ANCHOR, 0, 'a', "decision", .arg = "rejected", .codes = "$reject"},
	}},
	{"decided on appeal, then carried out", DISPUTE_RESOLVED, KS_DEFECT | KS_MISDESCRIBED, 0,
	 RULES_TIER_STANDARD, A_AGO, D(12), {
		OPEN(0),
		{B_PREV, H(8), 'm', "responses", .arg = "reject", .text = "不同意退款，商品没有问题。"},
		{B_PREV, H(16), 'c', "escalate", .text = "商家拒绝处理，请平台介入。"},
		{B_PREV, H(24), 'a', "decision", .arg = "partial_refund", .pct = 40, .codes = "claim_exceeds_loss;$claim"},
		{B_PREV, D(2), 'm', "appeal", .text = "补充新证据：该批次商品的第三方检测报告（报告编号CTI-2611-0385）结论为合格，请求重新审核。"},
		{B_PREV, H(4), 'c', "messages", .text = "第三方报告是整批抽检，不代表我收到的这一件，我的照片已经说明了问题。"},
		{B_PREV, H(20), 'a', "decision", .arg = "partial_refund", .pct = 40,
		 .codes = "merchant_evidence_insufficient;claim_exceeds_loss",
		 .why = "商家补充的第三方检测报告是同批次抽检结论，不能证明消费者收到的这一件没有问题，维持原决定。"},
		{B_PREV, H(20), 'p', "return", .arg = "shipped"},
		{B_PREV, D(2), 'p', "return", .arg = "signed"},
		{B_PREV, H(6), 'm', "confirm_return", .text = "退货已签收。"},
	}},
	{"no-reason return refunded when the merchant did not confirm", DISPUTE_RESOLVED, KS_RETURN,
	 0, TIER_ANY, A_AGO, D(20), {
		OPEN(0),
		{B_PREV, H(2), 'm', "responses", .arg = "accept", .text = "同意退货。退货地址已发到订单聊天，寄回后请上传快递单号。"},
		{B_PREV, H(20), 'p', "return", .arg = "shipped"},
		{B_PREV, H(1), 'c', "messages", .text = "已经寄回，中通快递单号{ref}。"},
		{B_PREV, H(40), 'p', "return", .arg = "signed"},
	}},

	{"parcel turned up", DISPUTE_WITHDRAWN, KB(K_STALLED) | KB(K_SIGNED_NR) | KB(K_LOST),
	 KS_NOT_RECEIVED, TIER_ANY, A_AGO, D(10), {
		OPEN(0),
		{B_PREV, H(5), 'm', "messages", .text = "我们正在催快递公司查件，有结果马上告诉您。"},
		{B_PREV, H(26), 'c', "withdraw", .text = "东西今天已经收到了，不需要平台处理了，撤回申请。"},
	}},
	{"changed mind about a return", DISPUTE_WITHDRAWN, KS_RETURN, 0, TIER_ANY, A_AGO, D(5), {
		OPEN(0),
		{B_PREV, H(4), 'm', "messages", .text = "请问是哪里不合适呢？如果是尺码或颜色的问题，可以免费给您换。"},
		{B_PREV, H(20), 'c', "withdraw", .text = "想了想还是留下了，撤回退货申请。"},
	}},

	{"taken to court", DISPUTE_EXTERNAL, KS_MISDESCRIBED | KS_DEFECT, 0, RULES_TIER_SERIOUS, A_AGO,
	 D(9), {
		OPEN(0),
		{B_PREV, H(10), 'm', "responses", .arg = "reject", .text = "我们的货源正规，不同意退款。"},
		{B_PREV, H(14), 'c', "escalate", .text = "商家拒绝，请平台介入。"},
		{B_PREV, H(30), 'a', "decision", .arg = "rejected", .codes = "$reject"},
		{B_PREV, D(2), 'c', "external", .arg = "court"},
	}},
	{"taken to the consumer association", DISPUTE_EXTERNAL, KS_NOT_RECEIVED | KB(K_CARD_USED), 0,
	 TIER_ANY, A_AGO, D(6), {
		OPEN(0),
		{B_PREV, H(12), 'm', "responses", .arg = "reject", .text = "这个问题不在我们的责任范围内，不同意退款。"},
		{B_PREV, H(20), 'c', "messages", .text = "商家推卸责任，我会向消费者协会投诉。"},
		{B_PREV, H(4), 'c', "external", .arg = "association"},
	}},
};

#define N_SCENES (sizeof(scenes) / sizeof(scenes[0]))

/* ---- the orders ---- */

/* An order that a dispute could be about. */
struct cand {
	json_t *order;     /* the stored order, borrowed from demo.orders */
	const char *id;    /* its id */
	int kind;          /* enum kind, or -1 when it has no story to tell */
	int serious;       /* 1 + index into serious[], or 0 */
	char *complaint;   /* the consumer's first chat message (malloc'd), or NULL */
	int64_t ready;     /* when its story so far ends: the last message, or the signing */
	int64_t signed_at; /* the latest `signed` logistics event, or 0 */
	int returnable;    /* no item's listing rules out no-reason returns */
	int used;          /* already has a demo dispute */
	int spike;         /* kept for this week's spike */
};

struct demo {
	struct cases c;
	int64_t now;
	uint64_t rng;          /* splitmix64 state, for reference numbers */
	json_t *orders;        /* every stored order */
	struct cand *cand;     /* one per order, in the same order */
	size_t n;
	struct dispute_call dc;
	struct {
		char id[ID_MAX];
		const struct scene *s;
	} made[N_SCENES];
	size_t nmade;
	int64_t extra;         /* claims opened outside the scenes: the past weeks' and the spike */
};

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int64_t ms_of(json_t *v)
{
	int64_t ms = 0;

	if (!json_is_string(v) || time_parse(json_string_value(v), &ms))
		return 0;
	return ms;
}

static uint64_t rng_next(struct demo *x)
{
	uint64_t z;

	x->rng += 0x9E3779B97F4A7C15ULL;
	z = x->rng;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Every record of `kind` (of one order with `f`), oldest first, in a new array *out. */
static int list_all(struct store *st, enum store_kind kind, const struct store_filter *f,
		    json_t **out, struct err *e)
{
	int64_t after = 0, next = 0;
	json_t *page = NULL;
	int rc;

	*out = json_array();
	if (!*out)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	do {
		rc = store_list(st, kind, f, after, 100, &page, &next, e);
		if (rc)
			return rc;
		rc = json_array_extend(*out, page) ? RC_NOMEM : RC_OK;
		json_decref(page);
		if (rc)
			return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		after = next;
	} while (next > 0);
	return RC_OK;
}

/* The kind of story a consumer's first chat message tells, or -1. */
static int kind_of_text(const char *text, int *serious_ix)
{
	size_t k, i;

	*serious_ix = 0;
	for (k = 0; k < K__COUNT; k++) {
		if (!kinds[k].marker || !strstr(text, kinds[k].marker))
			continue;
		if (k == K_QUALITY || k == K_NAD)
			for (i = 0; i < N_SERIOUS; i++)
				if (strstr(text, serious[i].marker)) {
					*serious_ix = (int)i + 1;
					break;
				}
		return (int)k;
	}
	return -1;
}

/* Whether every item of the order may be returned without a reason. */
static int returnable(struct demo *x, json_t *order, int *yes, struct err *e)
{
	json_t *it;
	size_t i;
	int rc;

	*yes = 1;
	json_array_foreach(json_object_get(order, "items"), i, it) {
		json_t *l = NULL;

		rc = store_listing_version(x->c.st, str(it, "listing"),
					   json_integer_value(json_object_get(it, "listing_version")),
					   &l, e);
		if (rc)
			return rc;
		if (rules_return_excluded(x->c.rules, str(l, "return_exclusion")))
			*yes = 0;
		json_decref(l);
	}
	return RC_OK;
}

/* Read an order's chat and deliveries, and tell what its story is. */
static int tell(struct demo *x, struct cand *k, struct err *e)
{
	struct store_filter f = {NULL, NULL, k->id};
	json_t *msgs = NULL, *events = NULL, *v;
	size_t i;
	int rc;

	rc = list_all(x->c.st, STORE_MESSAGE, &f, &msgs, e);
	if (!rc)
		rc = list_all(x->c.st, STORE_LOGISTICS, &f, &events, e);
	if (rc)
		goto out;
	json_array_foreach(msgs, i, v) {
		if (ms_of(json_object_get(v, "sent_at")) > k->ready)
			k->ready = ms_of(json_object_get(v, "sent_at"));
		if (!k->complaint && str(v, "sender") && strcmp(str(v, "sender"), "consumer") == 0 &&
		    str(v, "text")) {
			k->complaint = strdup(str(v, "text"));
			if (!k->complaint) {
				rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
				goto out;
			}
			k->kind = kind_of_text(k->complaint, &k->serious);
		}
	}
	json_array_foreach(events, i, v) {
		int64_t at = ms_of(json_object_get(v, "occurred_at"));

		if (str(v, "status") && strcmp(str(v, "status"), "signed") == 0 && at > k->signed_at)
			k->signed_at = at;
	}
	if (json_array_size(msgs) == 0 && k->signed_at) {
		k->kind = K_SIGNED_QUIET;
		k->ready = k->signed_at;
	}
	if (k->kind == K_RETURN_CHAT || k->kind == K_SIGNED_QUIET)
		rc = returnable(x, k->order, &k->returnable, e);
out:
	json_decref(msgs);
	json_decref(events);
	return rc;
}

/* Read every order and its story. */
static int gather(struct demo *x, struct err *e)
{
	json_t *v;
	size_t i;
	int rc;

	rc = list_all(x->c.st, STORE_ORDER, NULL, &x->orders, e);
	if (rc)
		return rc;
	x->n = json_array_size(x->orders);
	x->cand = calloc(x->n ? x->n : 1, sizeof(*x->cand));
	if (!x->cand)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	json_array_foreach(x->orders, i, v) {
		x->cand[i].order = v;
		x->cand[i].id = str(v, "id");
		x->cand[i].kind = -1;
		rc = tell(x, &x->cand[i], e);
		if (rc)
			return rc;
	}
	return RC_OK;
}

/* The platform's guarantee fund in the demo: ¥100,000. */
#define DEMO_GUARANTEE_FEN 10000000LL

/*
 * Money on the platform before the disputes: each merchant's settlement
 * holds the proceeds of its orders, credited when its first order was
 * paid, and the guarantee fund is topped up at the first payment of all.
 */
static int fund(struct demo *x, struct err *e)
{
	struct funds_ctx fc;
	json_t *per = json_object(), *o, *m;
	const char *mid;
	int64_t first = 0;
	char key[96];
	size_t i;
	int rc = RC_OK;

	json_array_foreach(x->orders, i, o) {
		int64_t at = ms_of(json_object_get(o, "paid_at"));
		int64_t fen = json_integer_value(json_object_get(json_object_get(o, "total"), "amount"));

		m = json_object_get(per, str(o, "merchant"));
		if (!m) {
			m = json_pack("{s:I, s:I}", "sum", (json_int_t)0, "at", (json_int_t)at);
			json_object_set_new(per, str(o, "merchant"), m);
		}
		json_object_set_new(m, "sum", json_integer(json_integer_value(
							json_object_get(m, "sum")) + fen));
		if (at < json_integer_value(json_object_get(m, "at")))
			json_object_set_new(m, "at", json_integer(at));
		if (!first || at < first)
			first = at;
	}
	json_object_foreach(per, mid, m) {
		json_t *out = NULL;

		memset(&fc, 0, sizeof(fc));
		fc.st = x->c.st;
		fc.now = json_integer_value(json_object_get(m, "at"));
		snprintf(key, sizeof(key), "demo:settlement:%s", mid);
		rc = funds_credit(&fc, key, mid, "settlement",
				  json_integer_value(json_object_get(m, "sum")), "demo sales", NULL,
				  &out, e);
		json_decref(out);
		if (rc)
			break;
	}
	if (!rc && first) {
		json_t *out = NULL;

		memset(&fc, 0, sizeof(fc));
		fc.st = x->c.st;
		fc.now = first;
		rc = funds_guarantee_add(&fc, "demo:guarantee", DEMO_GUARANTEE_FEN,
					 "demo guarantee fund", &out, e);
		json_decref(out);
	}
	json_decref(per);
	return rc;
}

/* ---- choosing an order for a scene ---- */

static const char *claim_reason(const struct cand *k)
{
	return k->serious ? serious[k->serious - 1].reason : kinds[k->kind].reason;
}

static int64_t claim_amount(const struct cand *k)
{
	return json_integer_value(json_object_get(json_object_get(k->order, "total"), "amount"));
}

static int fits(struct demo *x, const struct cand *k, unsigned kinds_wanted, int tier,
		int64_t open_at)
{
	char why[RULES_TIER_REASON_MAX], day[CALENDAR_DATE_TEXT_MAX];
	enum rules_tier t;
	int64_t end = 0;
	int uncovered = 0;

	if (k->used || k->kind < 0 || !(kinds_wanted & KB(k->kind)))
		return 0;
	if (k->ready <= 0 || k->ready > open_at - 30 * MIN_MS)
		return 0;
	if (KS_RETURN & KB(k->kind)) {
		if (!k->returnable || !k->signed_at || k->signed_at > open_at)
			return 0;
		if (rules_return_window(x->c.rules, x->c.cal, k->signed_at, &end, day, &uncovered) ||
		    open_at >= end)
			return 0;
	}
	if (tier == TIER_ANY)
		return 1;
	if (rules_tier(x->c.rules, claim_reason(k), claim_amount(k), 0, &t, why))
		return 0;
	return (int)t == tier;
}

/* The order that fits best: the one whose story ended last before the dispute opens. */
static struct cand *pick(struct demo *x, unsigned kinds_wanted, int tier, int64_t open_at)
{
	struct cand *best = NULL;
	size_t i;

	for (i = 0; i < x->n; i++)
		if (fits(x, &x->cand[i], kinds_wanted, tier, open_at) &&
		    (!best || x->cand[i].ready > best->ready))
			best = &x->cand[i];
	return best;
}

static struct cand *choose(struct demo *x, const struct scene *s, int64_t open_at)
{
	struct cand *k = pick(x, s->kinds, s->tier, open_at);

	if (!k && s->alt)
		k = pick(x, s->alt, s->tier, open_at);
	if (!k)
		k = pick(x, s->kinds | s->alt, TIER_ANY, open_at);
	if (!k && !(s->kinds & KS_RETURN))
		k = pick(x, KS_COMPLAINT, TIER_ANY, open_at);
	return k;
}

/* ---- timing ---- */

static int due_after(struct demo *x, enum rules_step step, int64_t start, int64_t *due,
		     struct err *e)
{
	int uncovered = 0;

	if (rules_deadline(x->c.rules, x->c.cal, step, start, due, &uncovered))
		return err_set(e, RC_INTERNAL, NULL, NULL, "cannot compute the %s deadline",
			       rules_step_name(step));
	return RC_OK;
}

/* When the scene's clock starts: see enum anchor. */
static int anchor_of(struct demo *x, const struct scene *s, int64_t *at, struct err *e)
{
	int64_t limit = x->now - s->anchor_min * MIN_MS, t, due = 0;
	int rc;

	if (s->anchor == A_AGO) {
		*at = limit;
		return RC_OK;
	}
	/* deadlines grow with their start: step back an hour at a time until this one has passed */
	for (t = limit; t > limit - 90 * DAY_MS; t -= HOUR_MS) {
		switch (s->anchor) {
		case A_APPEAL_CLOSED:
			rc = due_after(x, RULES_STEP_APPEAL, t, &due, e);
			break;
		case A_REVIEW_OVERDUE:
			rc = due_after(x, RULES_STEP_PLATFORM_REVIEW, t, &due, e);
			break;
		default:
			rc = due_after(x, RULES_STEP_APPEAL, t, &due, e);
			if (!rc)
				rc = due_after(x, RULES_STEP_EXECUTION, due, &due, e);
			break;
		}
		if (rc)
			return rc;
		if (due <= limit) {
			*at = t;
			return RC_OK;
		}
	}
	return err_set(e, RC_INTERNAL, NULL, NULL, "demo dispute \"%s\": no time fits the rules",
		       s->name);
}

/* Fire every timer due by `at`, including those that firing starts. */
static int fire(struct demo *x, int64_t at, struct err *e)
{
	int rc;

	do {
		memset(&x->dc, 0, sizeof(x->dc));
		rc = dispute_fire_due(&x->c, at, &x->dc, e);
	} while (!rc && x->dc.fired > 0);
	return rc;
}

/* ---- building the bodies ---- */

static json_t *money(int64_t fen)
{
	return jx_money_json(fen, "CNY");
}

/* `pct` percent of the claim, in whole yuan, at least one. */
static int64_t part_of(json_t *d, int pct)
{
	int64_t claim = json_integer_value(
		json_object_get(json_object_get(json_object_get(d, "claim"), "amount"), "amount"));
	int64_t v = claim * pct / 100 / 100 * 100;

	return v < 100 ? (claim < 100 ? claim : 100) : v;
}

/* The amount a beat's text speaks of. */
static int64_t amount_for(const struct beat *b, json_t *d)
{
	json_t *out = json_object_get(json_object_get(d, "outcome"), "amount");

	if (b->pct)
		return part_of(d, b->pct);
	if (json_is_object(out))
		return json_integer_value(json_object_get(out, "amount"));
	return part_of(d, 100);
}

/* A reference number for a beat: a court case, a complaint, a parcel. */
static void reference(struct demo *x, const struct beat *b, int64_t at, char *out, size_t n)
{
	int y, m, dd;
	uint64_t r = rng_next(x);

	calendar_beijing_date(at, &y, &m, &dd);
	if (b->arg && strcmp(b->arg, "court") == 0)
		snprintf(out, n, "（%d）京0491民初%05u号", y, (unsigned)(10000 + r % 90000));
	else if (b->arg && strcmp(b->arg, "association") == 0)
		snprintf(out, n, "12315-%04d%02d%02d-%06u", y, m, dd, (unsigned)(r % 1000000));
	else
		snprintf(out, n, "73%010llu", (unsigned long long)(r % 10000000000ULL));
}

/* Copy `tpl` into `out` with "{amount}" and "{ref}" filled in. */
static void fill(char *out, size_t n, const char *tpl, int64_t amount, const char *ref)
{
	char yuan[32];
	size_t len = 0;
	const char *p = tpl, *put;

	if (amount % 100)
		snprintf(yuan, sizeof(yuan), "%lld.%02lld", (long long)(amount / 100),
			 (long long)(amount % 100));
	else
		snprintf(yuan, sizeof(yuan), "%lld", (long long)(amount / 100));
	while (*p && len + 1 < n) {
		put = NULL;
		if (strncmp(p, "{amount}", 8) == 0) {
			put = yuan;
			p += 8;
		} else if (strncmp(p, "{ref}", 5) == 0) {
			put = ref;
			p += 5;
		}
		if (!put) {
			out[len++] = *p++;
			continue;
		}
		while (*put && len + 1 < n)
			out[len++] = *put++;
	}
	out[len] = '\0';
}

/* The id of a frozen record of the dispute to cite: the last logistics event, the first listing or message. */
static const char *cite(json_t *d, char what)
{
	json_t *recs = json_object_get(json_object_get(d, "evidence_set"), "records"), *r;
	const char *type = what == 'l' ? "logistics" : what == 'L' ? "listing" : "message";
	const char *found = NULL;
	size_t i;

	json_array_foreach(recs, i, r) {
		if (!str(r, "type") || strcmp(str(r, "type"), type) != 0)
			continue;
		found = str(r, "id");
		if (what != 'l')
			break;
	}
	return found;
}

/* A decision's reasons from a beat's codes. */
static json_t *reasons_for(struct demo *x, const struct cand *k, const struct beat *b, json_t *d)
{
	json_t *out = json_array();
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", b->codes);
	for (tok = strtok_r(buf, ";", &save); out && tok; tok = strtok_r(NULL, ";", &save)) {
		const char *code = tok, *text = NULL, *ref;
		const struct rules_reason *rr;
		char what = 0;
		json_t *r;
		size_t i;

		if (strcmp(tok, "$claim") == 0)
			code = k->serious ? serious[k->serious - 1].code
			       : kinds[k->kind].code ? kinds[k->kind].code
						     : "merchant_evidence_insufficient";
		else if (strcmp(tok, "$reject") == 0)
			code = k->kind == K_EXCLUDED ? "return_excluded_goods"
						     : "consumer_evidence_insufficient";
		for (i = 0; i < sizeof(reason_texts) / sizeof(reason_texts[0]); i++)
			if (strcmp(reason_texts[i].code, code) == 0) {
				text = reason_texts[i].text;
				what = reason_texts[i].cite;
			}
		rr = rules_reason_find(x->c.rules, code);
		if (b->why && json_array_size(out) == 0)
			text = b->why;
		if (!text)
			text = rr ? rr->zh : code;
		r = json_pack("{s:s, s:s}", "code", code, "text", text);
		ref = what ? cite(d, what) : NULL;
		if (r && ref)
			json_object_set_new(r, "evidence", json_pack("[s]", ref));
		if (!r || json_array_append_new(out, r)) {
			json_decref(out);
			out = NULL;
		}
	}
	return out;
}

static json_t *open_body(const struct cand *k)
{
	const struct kind_info *ki = &kinds[k->kind];
	const char *intro = k->serious ? serious[k->serious - 1].intro : ki->intro;
	const char *ask = strcmp(ki->claim, "refund") == 0 ? "申请全额退款。" : "申请退货退款。";
	json_t *total = json_object_get(k->order, "total");
	char desc[TEXT_MAX];

	if (KS_RETURN & KB(k->kind))
		snprintf(desc, sizeof(desc), "%s",
			 "商品收到后不太合适，包装完好、没有使用，申请七天无理由退货，"
			 "退回运费由本人承担。");
	else if (!k->complaint || (size_t)snprintf(desc, sizeof(desc), "%s订单聊天里说过：“%s”%s",
						     intro, k->complaint, ask) >= sizeof(desc))
		snprintf(desc, sizeof(desc), "%s%s", intro, ask); /* too long to quote: leave it out */
	return json_pack("{s:s, s:{s:s, s:O}, s:s, s:s}", "order", k->id, "claim", "type",
			 ki->claim, "amount", total, "reason", claim_reason(k), "description",
			 desc);
}

static json_t *act_body(struct demo *x, const struct cand *k, const struct beat *b, json_t *d,
			int64_t at)
{
	char text[TEXT_MAX] = "", ref[64];
	const char *a = b->action;
	json_t *in;

	ref[0] = '\0';
	if (strcmp(a, "external") == 0 || (b->text && strstr(b->text, "{ref}")))
		reference(x, b, at, ref, sizeof(ref));
	if (b->text)
		fill(text, sizeof(text), b->text, amount_for(b, d), ref);
	if (strcmp(a, "messages") == 0)
		return json_pack("{s:s}", "text", text);
	if (strcmp(a, "accept_offer") == 0)
		return json_pack("{s:s}", "offer", str(json_object_get(d, "offer"), "id"));
	if (strcmp(a, "external") == 0)
		return json_pack("{s:s, s:s}", "body", b->arg, "reference", ref);
	if (strcmp(a, "decision") == 0) {
		in = json_pack("{s:s, s:o}", "outcome", b->arg, "reasons",
			       reasons_for(x, k, b, d));
		if (in && b->pct)
			json_object_set_new(in, "amount", money(part_of(d, b->pct)));
		return in;
	}
	in = b->text ? json_pack("{s:s}", "message", text) : json_object();
	if (in && strcmp(a, "responses") == 0) {
		json_object_set_new(in, "action", json_string(b->arg));
		if (b->offer)
			json_object_set_new(in, "offer",
					    json_pack("{s:s, s:o}", "type", b->offer, "amount",
						      money(part_of(d, b->pct))));
	}
	return in;
}

/* ---- playing a scene ---- */

/* 1 while the dispute waits on the consumer's return (its "return" status). */
static int return_pending(json_t *d)
{
	const char *s = str(json_object_get(d, "return"), "status");

	return s && (strcmp(s, "awaiting_shipment") == 0 || strcmp(s, "shipped") == 0 ||
		     strcmp(s, "signed") == 0);
}

/* A logistics event of the consumer's return, as the platform pushes it, and the dispute
 * that waits on it moves (dispute_on_logistics). */
static int demo_return(struct demo *x, const struct cand *k, const struct beat *b, int64_t at,
		       struct err *e)
{
	struct ingest_ctx c = {.st = x->c.st, .data_dir = NULL, .now = at};
	char tracking[32], when[TIME_TEXT_MAX];
	json_t *in, *ev = NULL;
	int applied = 0, rc;

	snprintf(tracking, sizeof(tracking), "ZT%012llu",
		 (unsigned long long)(((uint64_t)at / 1000) % 1000000000000ULL));
	time_format(at, when);
	in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "carrier", "中通快递", "tracking_number",
		       tracking, "status", b->arg, "occurred_at", when, "direction", "return",
		       "detail", strcmp(b->arg, "signed") == 0 ? "商家已签收退货" : "消费者寄回退货");
	if (!in)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = ingest_logistics(&c, k->order, in, &ev, e);
	if (!rc)
		rc = dispute_on_logistics(&x->c, ev, at, &x->dc, &applied, e);
	if (!rc && !applied)
		rc = err_set(e, RC_INTERNAL, NULL, NULL, "no dispute took the return");
	json_decref(in);
	json_decref(ev);
	return rc;
}

/* A beat's action by its name in the scene table (dispute_action_names). */
static int demo_act(struct demo *x, const struct actor *a, const char *action, json_t *d,
		    json_t *in, int64_t at, json_t **out, struct err *e)
{
	int i = vocab_find(dispute_action_names, action);

	if (i < 0)
		return err_set(e, RC_INTERNAL, NULL, NULL, "no action %s", action);
	return dispute_act(&x->c, a, (enum dispute_action)i, d, in, at, out, &x->dc, e);
}

static int beat_fail(const struct scene *s, size_t i, const char *action, struct err *e)
{
	char msg[sizeof(e->message)];

	snprintf(msg, sizeof(msg), "%s", e->message);
	return err_set(e, e->rc ? e->rc : RC_INTERNAL, e->code, e->param,
		       "demo dispute \"%s\", step %zu (%s): %s", s->name, i, action, msg);
}

static int play(struct demo *x, const struct scene *s, struct err *e)
{
	static const struct actor agent = {"agent", "demo-agent", "张敏（纠纷专员）"};
	struct actor consumer = {"consumer", NULL, NULL}, merchant = {"merchant", NULL, NULL};
	int64_t anchor = 0, prev, at;
	const struct beat *b;
	struct cand *k;
	json_t *d = NULL, *in = NULL, *out = NULL;
	size_t i;
	int rc;

	rc = anchor_of(x, s, &anchor, e);
	if (rc)
		return rc;
	/* the first beat is the opening (OPEN), timed from the anchor */
	prev = 0;
	k = choose(x, s, anchor + s->beat[0].min * MIN_MS);
	if (!k) {
		log_event(LOG_WARN, "demo dispute left out: no order fits",
			  json_pack("{s:s}", "scene", s->name));
		return RC_OK;
	}
	k->used = 1;
	consumer.id = str(json_object_get(k->order, "consumer"), "id");
	merchant.id = str(k->order, "merchant");
	for (i = 0; i < MAX_BEATS && s->beat[i].action; i++) {
		b = &s->beat[i];
		if (b->from == B_DUE)
			at = ms_of(json_object_get(json_object_get(d, "next"), "due_at"));
		else
			at = b->from == B_ANCHOR ? anchor : prev;
		at = at ? at + b->min * MIN_MS : 0;
		if (at < prev || at > x->now) {
			err_set(e, RC_INTERNAL, NULL, NULL,
				"the step falls before the one before it, or after now");
			rc = beat_fail(s, i, b->action, e);
			break;
		}
		rc = fire(x, at, e);
		if (!rc && i > 0) {
			json_decref(d);
			d = NULL;
			rc = store_dispute_get(x->c.st, x->made[x->nmade].id, &d, e);
		}
		if (rc)
			break;
		memset(&x->dc, 0, sizeof(x->dc));
		if (i > 0 && (strcmp(b->action, "return") == 0 ||
			      strcmp(b->action, "confirm_return") == 0) && !return_pending(d))
			continue; /* this order's outcome needs no return */
		if (strcmp(b->action, "return") == 0) {
			rc = demo_return(x, k, b, at, e);
			if (!rc)
				rc = store_dispute_get(x->c.st, x->made[x->nmade].id, &out, e);
			if (rc) {
				rc = beat_fail(s, i, b->action, e);
				break;
			}
			json_decref(d);
			d = out;
			out = NULL;
			prev = at;
			continue;
		}
		in = i == 0 ? open_body(k) : act_body(x, k, b, d, at);
		if (!in) {
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
			break;
		}
		if (i == 0) {
			rc = dispute_open(&x->c, &consumer, k->order, in, at, &out, &x->dc, e);
			/* the server's worker assesses it when the demo serves */
			if (!rc)
				rc = store_assess_queue(x->c.st, str(out, "id"), at, e);
		} else
			rc = demo_act(x, b->who == 'c' ? &consumer : b->who == 'm' ? &merchant : &agent,
				      b->action, d, in, at, &out, e);
		json_decref(in);
		if (rc) {
			rc = beat_fail(s, i, b->action, e);
			break;
		}
		if (i == 0) {
			snprintf(x->made[x->nmade].id, ID_MAX, "%s", str(out, "id"));
			x->made[x->nmade].s = s;
		}
		json_decref(d);
		d = out;
		out = NULL;
		prev = at;
	}
	json_decref(d);
	if (!rc)
		x->nmade++;
	return rc;
}

/* Say so when a dispute did not end where its scene meant it to (the calendar can surprise). */
static int check_ends(struct demo *x, struct err *e)
{
	size_t i;
	int rc;

	for (i = 0; i < x->nmade; i++) {
		json_t *d = NULL;

		rc = store_dispute_get(x->c.st, x->made[i].id, &d, e);
		if (rc)
			return rc;
		if (strcmp(str(d, "state"), dispute_state_name(x->made[i].s->end)) != 0)
			log_event(LOG_WARN, "demo dispute did not end as planned",
				  json_pack("{s:s, s:s, s:s, s:s}", "scene", x->made[i].s->name,
					    "dispute", x->made[i].id, "planned",
					    dispute_state_name(x->made[i].s->end),
					    "state", str(d, "state")));
		json_decref(d);
	}
	return RC_OK;
}

/* ---- the risk history: claims of the past weeks, and this week's spike ---- */

#define PAST_FROM_MS (21 * DAY_MS)  /* past claims open before the scenes' three weeks */
#define SPIKE_MAX 5                 /* claims of the spike */

/* Open a claim on `k` at `at`, as its consumer; the server's worker assesses it. */
static int open_claim(struct demo *x, struct cand *k, int64_t at, json_t **d, struct err *e)
{
	struct actor consumer = {"consumer", NULL, NULL};
	json_t *in = open_body(k);
	int rc;

	if (!in)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	consumer.id = str(json_object_get(k->order, "consumer"), "id");
	k->used = 1;
	memset(&x->dc, 0, sizeof(x->dc));
	rc = dispute_open(&x->c, &consumer, k->order, in, at, d, &x->dc, e);
	json_decref(in);
	if (!rc)
		rc = store_assess_queue(x->c.st, str(*d, "id"), at, e);
	if (!rc)
		x->extra++;
	return rc;
}

/* `who` ('c' or 'm') of `k`'s order does `action` with `text` on dispute *d at `at`. */
static int past_act(struct demo *x, const struct cand *k, json_t **d, char who,
		    const char *action, const char *text, int64_t at, struct err *e)
{
	struct actor a = {who == 'c' ? "consumer" : "merchant", NULL, NULL};
	json_t *in = json_pack("{s:s}", strcmp(action, "messages") == 0 ? "text" : "message", text);
	json_t *out = NULL;
	int rc;

	a.id = who == 'c' ? str(json_object_get(k->order, "consumer"), "id")
			  : str(k->order, "merchant");
	if (!in)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	memset(&x->dc, 0, sizeof(x->dc));
	rc = demo_act(x, &a, action, *d, in, at, &out, e);
	json_decref(in);
	if (!rc) {
		json_decref(*d);
		*d = out;
	}
	return rc;
}

/*
 * The weeks before the scenes' three: about one in three of the complaints
 * whose story ended then became a claim a day or so later, which the
 * merchant settled in the chat and the consumer withdrew. They give the
 * early warning (docs/risk.md) a history to compare each week with, as a
 * platform's own would. Serious ones are left to the scenes.
 */
static int past_claims(struct demo *x, struct err *e)
{
	size_t i;
	int rc = RC_OK;

	for (i = 0; !rc && i < x->n; i++) {
		struct cand *k = &x->cand[i];
		int64_t at = k->ready + (int64_t)(20 + rng_next(x) % 24) * HOUR_MS;
		json_t *d = NULL;

		if (k->used || k->spike || k->kind < 0 || k->serious || !(KS_COMPLAINT & KB(k->kind)) ||
		    k->ready <= 0 || at + DAY_MS > x->now - PAST_FROM_MS || rng_next(x) % 3)
			continue;
		rc = open_claim(x, k, at, &d, e);
		if (!rc)
			rc = past_act(x, k, &d, 'm', "messages",
				      "非常抱歉，已经按您的要求处理，请查收后确认。", at + 4 * HOUR_MS, e);
		if (!rc)
			rc = past_act(x, k, &d, 'c', "withdraw", "商家已经处理好了，撤回申请。",
				      at + 20 * HOUR_MS, e);
		json_decref(d);
	}
	return rc;
}

#define CATEGORY_MAX 64

/* The category of the listing of `k`'s first item ("" when it has none). */
static int first_category(struct demo *x, const struct cand *k, char *out, struct err *e)
{
	json_t *item = json_array_get(json_object_get(k->order, "items"), 0), *l = NULL;
	int rc = store_get(x->c.st, STORE_LISTING, str(item, "listing"), &l, e);

	if (!rc)
		snprintf(out, CATEGORY_MAX, "%s", str(l, "category") ? str(l, "category") : "");
	json_decref(l);
	return rc;
}

static int spike_fits(const struct demo *x, const struct cand *k, int64_t week)
{
	return !k->used && k->kind >= 0 && !k->serious && (KS_COMPLAINT & KB(k->kind)) &&
	       k->ready > 0 && k->ready + 30 * MIN_MS < x->now && x->now - week > 10 * MIN_MS;
}

/* Whether complaints i and j share their category and reason. */
static int same_focus(const struct demo *x, char (*cat)[CATEGORY_MAX], size_t i, size_t j)
{
	return cat[i][0] && strcmp(cat[i], cat[j]) == 0 &&
	       strcmp(claim_reason(&x->cand[i]), claim_reason(&x->cand[j])) == 0;
}

/* The first of the largest group of fitting complaints of one category and reason; *most its size. */
static size_t largest_group(struct demo *x, char (*cat)[CATEGORY_MAX], int64_t week, size_t *most)
{
	size_t i, j, n, best = x->n;

	*most = 0;
	for (i = 0; i < x->n; i++) {
		if (!spike_fits(x, &x->cand[i], week))
			continue;
		for (n = 0, j = i; j < x->n; j++)
			n += spike_fits(x, &x->cand[j], week) && same_focus(x, cat, i, j);
		if (n > *most)
			best = i, *most = n;
	}
	return best;
}

/*
 * This week's spike, chosen before the past claims so that none of them is
 * of its kind: up to SPIKE_MAX of the largest group of complaints of one
 * category and reason no scene took, marked to be opened by spike().
 */
static int choose_spike(struct demo *x, struct err *e)
{
	int64_t week = risk_week_start(x->now);
	char (*cat)[CATEGORY_MAX] = calloc(x->n ? x->n : 1, CATEGORY_MAX);
	size_t i, best, most = 0, n;
	int rc = RC_OK;

	if (!cat)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	for (i = 0; !rc && i < x->n; i++)
		if (spike_fits(x, &x->cand[i], week))
			rc = first_category(x, &x->cand[i], cat[i], e);
	best = rc ? x->n : largest_group(x, cat, week, &most);
	for (i = best; i < x->n; i++)
		x->cand[i].spike = 0;
	for (n = 0, i = best; !rc && most >= 3 && i < x->n && n < SPIKE_MAX; i++)
		if (spike_fits(x, &x->cand[i], week) && same_focus(x, cat, best, i))
			x->cand[i].spike = 1, n++;
	free(cat);
	return rc;
}

/*
 * Open the spike's claims this week, spread from the week's start to now,
 * each followed by its consumer's word, so that the scan finds what the
 * early warning is for.
 */
static int spike(struct demo *x, struct err *e)
{
	int64_t week = risk_week_start(x->now), from, at;
	size_t i, n = 0;
	int rc = RC_OK;

	for (i = 0; !rc && i < x->n; i++) {
		struct cand *k = &x->cand[i];
		json_t *d = NULL;

		if (!k->spike)
			continue;
		from = k->ready + 30 * MIN_MS > week ? k->ready + 30 * MIN_MS : week;
		at = from + (x->now - from) * (int64_t)(++n) / (SPIKE_MAX + 1);
		rc = open_claim(x, k, at, &d, e);
		if (!rc)
			rc = past_act(x, k, &d, 'c', "messages",
				      "同一款商品好几个人都遇到了同样的问题，请平台重视。",
				      at + (x->now - at) / 2, e);
		json_decref(d);
	}
	return rc;
}

/* The scan the server's worker makes: this week's alerts, from the spike. */
static int scan(struct demo *x, struct err *e)
{
	struct risk_tally t = {0};
	int rc = risk_scan(x->c.st, x->c.rules, x->now, &t, e);

	if (!rc && !t.raised)
		log_event(LOG_WARN, "demo: the scan raised no alert", NULL);
	return rc;
}

/*
 * A consumer under review: staff mark the consumer of the rejected claim
 * abusive, citing it, an hour before `now` (docs/abuse.md). Nothing if the
 * scene was left out.
 */
static int mark_under_review(struct demo *x, struct err *e)
{
	static const struct actor agent = {"agent", "demo-agent", "张敏（纠纷专员）"};
	json_t *d = NULL, *in, *out = NULL;
	size_t i;
	int rc;

	for (i = 0; i < x->nmade; i++)
		if (strcmp(x->made[i].s->name, "rejected, closed after the appeal window") == 0)
			break;
	if (i == x->nmade)
		return RC_OK;
	rc = store_dispute_get(x->c.st, x->made[i].id, &d, e);
	if (rc)
		return rc;
	in = json_pack("{s:s, s:s, s:[s]}", "flag", "abusive", "reason",
		       "多次以同类理由投诉，所述问题均未被冻结的记录支持，转人工复核", "evidence",
		       x->made[i].id);
	rc = risk_consumer_flag_set(&x->c, &agent, str(d, "consumer"), in, x->now - 3600 * 1000LL,
				    &out, &x->dc, e);
	json_decref(in);
	json_decref(out);
	json_decref(d);
	return rc;
}

int demo_disputes(struct store *st, const struct rules *r, const struct calendar *cal,
		  uint32_t seed, int64_t now, int64_t *count, struct err *e)
{
	struct demo *x;
	size_t i;
	int rc;

	*count = 0;
	x = calloc(1, sizeof(*x));
	if (!x)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	x->c.st = st;
	x->c.rules = r;
	x->c.cal = cal;
	x->now = now;
	x->rng = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 4;
	rc = store_begin(st, e);
	if (rc) {
		free(x);
		return rc;
	}
	rc = gather(x, e);
	if (!rc)
		rc = fund(x, e);
	for (i = 0; !rc && i < N_SCENES; i++)
		rc = play(x, &scenes[i], e);
	if (!rc)
		rc = choose_spike(x, e);
	if (!rc)
		rc = past_claims(x, e);
	if (!rc)
		rc = spike(x, e);
	if (!rc)
		rc = fire(x, now, e);
	if (!rc)
		rc = check_ends(x, e);
	if (!rc)
		rc = mark_under_review(x, e);
	if (!rc)
		rc = scan(x, e);
	if (store_end(st, rc == RC_OK, rc ? NULL : e) && !rc)
		rc = e->rc;
	if (!rc)
		*count = (int64_t)x->nmade + x->extra;
	for (i = 0; i < x->n; i++)
		free(x->cand[i].complaint);
	free(x->cand);
	json_decref(x->orders);
	free(x);
	return rc;
}

/**
 * @file sdk/disclosure.c  The privacy disclosure (DESIGN.md, personal
 *                         information rule 2), from one table
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * The tables below are the single source of truth: the items table is
 * indexed by enum ll_privacy_item (the switches and the ledger use it),
 * and the JSON and Markdown texts, in English and Chinese, are generated
 * from it.  docs/PRIVACY.md is the Markdown output (a test compares them;
 * scripts/gen_privacy_md.sh regenerates it).  Nothing here touches a file,
 * a socket or libre: it works before consent.  Each text is generated
 * once, on first use, into a static buffer that lives as long as the
 * process.
 */
#include <string.h>
#include <stdio.h>
#include <stdarg.h>
#include <pthread.h>
#include <re.h>
#include "lianluo/lianluo.h"
#include "common/media_sdp.h"
#include "audio/stream.h"
#include "sdk.h"
#include "privacy.h"


enum {
	TEXT_SZ = 24576,
	LANGS   = 2,
};

/* A text in both languages: [0] English, [1] Chinese. */
typedef const char *ltext[LANGS];

struct item_text {
	ltext name;
	ltext purpose;
	ltext when;
};

/* Indexed by enum ll_privacy_item; purpose_en is the ledger's purpose. */
static const struct ll__pitem items[LL_PRIVACY_ITEM_COUNT] = {
	[LL_PRIVACY_NETWORK_STATE] = {"network_state", true, true,
		"reach the server: choose the local interface"},
	[LL_PRIVACY_OS] = {"os", true, true,
		"compatibility and fault analysis"},
	[LL_PRIVACY_DEVICE_MODEL] = {"device_model", true, true,
		"compatibility and fault analysis"},
	[LL_PRIVACY_SDK_VERSION] = {"sdk_version", true, true,
		"compatibility and fault analysis"},
	[LL_PRIVACY_IP_ADDRESS] = {"ip_address", true, true,
		"signalling and media: where the server reaches the agent"},
	[LL_PRIVACY_MICROPHONE] = {"microphone", false, true,
		"the agent's voice in a call"},
	[LL_PRIVACY_CAMERA] = {"camera", false, false,
		"video calls (not in this version: never used)"},
	[LL_PRIVACY_LOG_FILES] = {"log_files", false, true,
		"fault analysis by the app's operator"},
	[LL_PRIVACY_DEVICE_DETAILS] = {"device_details", false, false,
		"fault analysis"},
};

static const struct item_text item_texts[LL_PRIVACY_ITEM_COUNT] = {
	[LL_PRIVACY_NETWORK_STATE] = {
		{"Network state", "网络状态"},
		{"Find the local network interface and route that reach the "
		 "contact-center server, so that the server can reach the "
		 "agent.",
		 "确定能到达呼叫中心服务器的本机网络接口和路由，使服务器能"
		 "联系到坐席。"},
		{"At login (ll_login_agent, ll_login_sip), and again when a "
		 "request to the server fails, to follow a change of network; "
		 "never on a timer, never in the background.",
		 "登录时（ll_login_agent、ll_login_sip）读取；向服务器的请求"
		 "失败时再次读取，以跟随网络切换；从不定时读取，也不在后台"
		 "读取。"}},
	[LL_PRIVACY_OS] = {
		{"Operating system name", "操作系统名称"},
		{"Compatibility and fault analysis: sent to the "
		 "contact-center server with the agent login.",
		 "兼容性与故障分析：随坐席登录请求发送给呼叫中心服务器。"},
		{"At agent login (ll_login_agent).",
		 "坐席登录时（ll_login_agent）。"}},
	[LL_PRIVACY_DEVICE_MODEL] = {
		{"Device model (machine type, e.g. x86_64)",
		 "设备型号（机器类型，如 x86_64）"},
		{"Compatibility and fault analysis: sent with the agent "
		 "login.",
		 "兼容性与故障分析：随坐席登录请求发送。"},
		{"At agent login (ll_login_agent).",
		 "坐席登录时（ll_login_agent）。"}},
	[LL_PRIVACY_SDK_VERSION] = {
		{"SDK version", "SDK 版本"},
		{"Compatibility and fault analysis: the User-Agent of HTTP "
		 "and SIP requests.",
		 "兼容性与故障分析：HTTP 与 SIP 请求的 User-Agent。"},
		{"At login and in every request to the server.",
		 "登录时及每个发往服务器的请求中。"}},
	[LL_PRIVACY_IP_ADDRESS] = {
		{"IP address", "IP 地址"},
		{"Signalling and media: the local address in SIP and SDP, "
		 "and the address the server sees, so that calls reach the "
		 "agent.",
		 "信令与媒体：SIP 与 SDP 中的本机地址及服务器看到的地址，"
		 "使呼叫能到达坐席。"},
		{"At login (ll_login_agent, ll_login_sip), and again when a "
		 "request to the server fails (a new network: the SDK "
		 "re-registers and moves the call to the new address); "
		 "calls reuse it.",
		 "登录时（ll_login_agent、ll_login_sip）读取；向服务器的请求"
		 "失败时再次读取（网络切换：SDK 重新注册并把通话移到新地址）；"
		 "通话沿用该地址。"}},
	[LL_PRIVACY_MICROPHONE] = {
		{"Microphone audio", "麦克风音频"},
		{"The agent's voice, sent to the other party of a call; the "
		 "SDK does not record it.",
		 "坐席的语音，发送给通话对方；SDK 不录音。"},
		{"Only during a call the agent placed or answered (ll_call, "
		 "ll_answer), until it ends.",
		 "仅在坐席发起或接听的通话中（ll_call、ll_answer），直至通话"
		 "结束。"}},
	[LL_PRIVACY_CAMERA] = {
		{"Camera video", "摄像头视频"},
		{"Video calls. This version has no video: the camera is "
		 "never opened.",
		 "视频通话。本版本不支持视频：从不打开摄像头。"},
		{"Never.", "从不。"}},
	[LL_PRIVACY_LOG_FILES] = {
		{"Log files on storage", "存储中的日志文件"},
		{"Fault analysis: SDK log lines (phone numbers masked, no "
		 "tokens or passwords) in the directory the app chose.",
		 "故障分析：SDK 日志（号码已脱敏，不含令牌和密码），写入"
		 "应用指定的目录。"},
		{"Only after the app set a log directory (ll_set_log_dir), "
		 "while the SDK runs.",
		 "仅在应用设置日志目录（ll_set_log_dir）之后、"
		 "SDK 运行期间。"}},
	[LL_PRIVACY_DEVICE_DETAILS] = {
		{"Device details (OS release and kernel version)",
		 "设备详细信息（操作系统发行版本与内核版本）"},
		{"Fault analysis: sent with the agent login.",
		 "故障分析：随坐席登录请求发送。"},
		{"At agent login (ll_login_agent), only when switched on.",
		 "仅在开关打开时，坐席登录时（ll_login_agent）。"}},
};

struct perm {
	const char *id;
	bool required;
	ltext name;
	ltext purpose;
	ltext when;
};

/* The OS permissions of TCCC's list. */
static const struct perm perms[] = {
	{"network", true,
	 {"Network (INTERNET)", "网络访问（INTERNET）"},
	 {"Login, signalling and call audio with the contact-center "
	  "server.",
	  "与呼叫中心服务器之间的登录、信令与通话音频。"},
	 {"From login to logout.", "从登录到登出。"}},
	{"network_state", true,
	 {"Network state (ACCESS_NETWORK_STATE)",
	  "网络状态（ACCESS_NETWORK_STATE）"},
	 {"Choose the interface that reaches the server.",
	  "选择能到达服务器的网络接口。"},
	 {"At login.", "登录时。"}},
	{"storage", false,
	 {"Storage for the log cache (WRITE_EXTERNAL_STORAGE)",
	  "日志缓存存储（WRITE_EXTERNAL_STORAGE）"},
	 {"Write log files for fault analysis.",
	  "写入用于故障分析的日志文件。"},
	 {"Only when the app sets a log directory and the log-file switch "
	  "is on.",
	  "仅当应用设置了日志目录且日志文件开关打开时。"}},
	{"microphone", false,
	 {"Microphone (RECORD_AUDIO)", "麦克风（RECORD_AUDIO）"},
	 {"The agent's voice in calls.", "通话中坐席的语音。"},
	 {"When a call starts (ll_call, ll_answer); never with the "
	  "microphone switch off.",
	  "通话开始时（ll_call、ll_answer）；麦克风开关关闭时从不使用。"}},
	{"audio_settings", false,
	 {"Audio settings (MODIFY_AUDIO_SETTINGS)",
	  "音频设置（MODIFY_AUDIO_SETTINGS）"},
	 {"Open the sound device for playout and capture; volumes are "
	  "applied inside the SDK, the system mixer is not changed.",
	  "打开声音设备用于播放和采集；音量在 SDK 内调整，不修改系统"
	  "混音器。"},
	 {"During a call.", "通话期间。"}},
	{"camera", false,
	 {"Camera (CAMERA)", "摄像头（CAMERA）"},
	 {"None: this version has no video.", "无：本版本不支持视频。"},
	 {"Never requested.", "从不申请。"}},
};

struct purpose {
	ltext name;
	ltext text;
};

static const struct purpose purposes[] = {
	{{"Outbound calls", "外呼"},
	 {"The agent calls a customer through the contact center "
	  "(ll_call).",
	  "坐席通过呼叫中心呼叫客户（ll_call）。"}},
	{{"Inbound calls", "呼入"},
	 {"Customers' calls are routed to the logged-in agent, who answers "
	  "(ll_answer).",
	  "客户来电路由到已登录的坐席，由坐席接听（ll_answer）。"}},
	{{"Audio and video calls", "音视频通话"},
	 {"Audio calls only; video is not supported in this version.",
	  "仅音频通话；本版本不支持视频。"}},
};

static const ltext processing[] = {
	{"De-identification: phone numbers are masked (138****5678) in "
	 "every SDK log line; tokens and passwords never appear in logs or "
	 "error texts; when the server is configured so, the numbers the "
	 "app sees in events are masked too.",
	 "去标识化：SDK 每条日志中的电话号码均脱敏（138****5678）；令牌和"
	 "密码从不出现在日志或错误信息中；服务器如此配置时，应用在事件中"
	 "看到的号码也已脱敏。"},
	{"Transport: login (the token exchange) uses HTTPS when the app "
	 "gives an https:// server address: the server's certificate is "
	 "verified (a pinned SHA-256 fingerprint, the app's CA file, or the "
	 "system's trust store with the host name checked) before anything "
	 "is sent, and a server that fails is refused, never accepted "
	 "blindly. http:// addresses send the token unencrypted and exist "
	 "for closed networks. SIP still runs over UDP and audio over plain "
	 "RTP in this version (SIP over TLS and SRTP are not implemented): "
	 "use calls only on a closed, trusted network until they are.",
	 "传输：应用提供 https:// 服务器地址时，登录（令牌交换）使用 "
	 "HTTPS：发送任何数据之前先验证服务器证书（固定的 SHA-256 指纹、"
	 "应用提供的 CA 文件，或系统信任库并校验主机名），验证失败即拒绝"
	 "连接，绝不盲目接受。http:// 地址以明文发送令牌，仅供封闭网络"
	 "使用。本版本中 SIP 仍走 UDP，音频仍为明文 RTP（SIP over TLS 与 "
	 "SRTP 尚未实现）：在实现之前，请仅在封闭、可信的网络中通话。"},
	{"Recipients: data goes only to the contact-center server the app "
	 "configures; nothing is sent to the SDK's provider.",
	 "接收方：数据只发往应用配置的呼叫中心服务器；不向 SDK 提供方"
	 "发送任何数据。"},
	{"Storage: the SDK stores nothing except the optional log files; an "
	 "in-memory ledger records each read of an item above (item, "
	 "purpose, time, API call) and can be exported by the app.",
	 "存储：除可选的日志文件外 SDK 不存储任何数据；内存中的记录表"
	 "登记对上述每项信息的每次读取（项目、目的、时间、触发的 API），"
	 "应用可导出。"},
	{"Collection: no timer collects anything; nothing is read before "
	 "consent; in the background the SDK makes no requests of its own.",
	 "收集：没有定时收集；同意之前不读取任何信息；在后台时 SDK 不会"
	 "自行发起请求。"},
};

static const ltext rights[] = {
	{"Withdraw consent at any time (ll_privacy_withdraw): the call ends, "
	 "the agent is unregistered, the SDK's files and ledger are "
	 "deleted, and nothing more is sent or written.",
	 "可随时撤回同意（ll_privacy_withdraw）：通话结束、坐席注销、"
	 "删除 SDK 的文件与记录表，此后不再发送或写入任何数据。"},
	{"Switch off each optional item (ll_set_privacy_switch).",
	 "可关闭每一项可选信息（ll_set_privacy_switch）。"},
	{"Access: the app can show what was read, from the ledger "
	 "(ll_privacy_ledger_json).",
	 "查阅：应用可通过记录表（ll_privacy_ledger_json）展示读取了"
	 "哪些信息。"},
	{"Deletion: the contact-center operator deletes a person's call "
	 "records and recordings by phone number or user "
	 "(DELETE /v1/personal-data) and keeps them only for the retention "
	 "period it sets.",
	 "删除：呼叫中心运营方可按电话号码或用户删除其通话记录与录音"
	 "（DELETE /v1/personal-data），且仅在其设定的保存期限内保存。"},
	{"Contact the app's operator, who is the personal-information "
	 "handler, to exercise these rights.",
	 "如需行使上述权利，请联系作为个人信息处理者的应用运营方。"},
};

static const ltext l_title = {"liblianluo privacy disclosure",
			      "liblianluo 隐私披露"};
static const ltext l_provider = {"The lianluo authors (open source)",
				 "lianluo 作者（开源项目）"};
static const ltext l_summary = {
	"liblianluo is the agent workstation SDK of the lianluo contact "
	"center. It logs an agent in and carries the agent's calls. It does "
	"nothing before the app reports the end user's consent.",
	"liblianluo 是 lianluo 呼叫中心的坐席工作台 SDK，用于坐席登录和"
	"通话。在应用报告最终用户同意之前，它不做任何事情。"};
static const ltext h_purposes = {"Purposes and scenarios", "目的与场景"};
static const ltext h_items = {"Personal information", "个人信息"};
static const ltext h_perms = {"System permissions", "系统权限"};
static const ltext h_proc = {"Processing and protection", "处理与保护"};
static const ltext h_rights = {"Your rights", "您的权利"};
static const ltext c_item = {"Item", "信息"};
static const ltext c_req = {"Required", "是否必需"};
static const ltext c_purpose = {"Purpose", "目的"};
static const ltext c_when = {"When", "何时"};
static const ltext c_perm = {"Permission", "权限"};
static const ltext v_required = {"required", "必需"};
static const ltext v_optional_on = {"optional (switch, default on)",
				    "可选（有开关，默认开启）"};
static const ltext v_optional_off = {"optional (switch, default off)",
				     "可选（有开关，默认关闭）"};
static const ltext v_optional_p = {"optional", "可选"};
static const ltext l_name = {"SDK", "SDK 名称"};
static const ltext l_prov = {"Provider", "提供方"};
static const ltext l_ver = {"Version", "版本"};


struct out {
	char *buf;
	size_t size;
	size_t len;
	bool full;
};


static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);

	if (n < 0 || (size_t)n >= o->size - o->len) {
		o->full = true;
		return;
	}

	o->len += (size_t)n;
}


/* A JSON string; the texts hold no control characters. */
static void put_js(struct out *o, const char *s)
{
	put(o, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			put(o, "\\%c", *s);
		else
			put(o, "%c", *s);
	}
	put(o, "\"");
}


static void json_gen(struct out *o, int l)
{
	size_t i;

	put(o, "{\"sdk\":{\"name\":\"liblianluo\",\"version\":\"%s\","
	    "\"provider\":", LL_VERSION_STR);
	put_js(o, l_provider[l]);
	put(o, ",\"summary\":");
	put_js(o, l_summary[l]);
	put(o, "},\"lang\":\"%s\",\n\"purposes\":[", l ? "zh" : "en");

	for (i = 0; i < ARRAY_SIZE(purposes); i++) {
		put(o, "%s{\"scenario\":", i ? ",\n" : "\n");
		put_js(o, purposes[i].name[l]);
		put(o, ",\"description\":");
		put_js(o, purposes[i].text[l]);
		put(o, "}");
	}

	put(o, "],\n\"items\":[");
	for (i = 0; i < LL_PRIVACY_ITEM_COUNT; i++) {
		put(o, "%s{\"id\":\"%s\",\"name\":", i ? ",\n" : "\n",
		    items[i].id);
		put_js(o, item_texts[i].name[l]);
		put(o, ",\"required\":%s,\"default\":%s,\"purpose\":",
		    items[i].required ? "true" : "false",
		    items[i].dflt ? "true" : "false");
		put_js(o, item_texts[i].purpose[l]);
		put(o, ",\"when\":");
		put_js(o, item_texts[i].when[l]);
		put(o, "}");
	}

	put(o, "],\n\"permissions\":[");
	for (i = 0; i < ARRAY_SIZE(perms); i++) {
		put(o, "%s{\"id\":\"%s\",\"name\":", i ? ",\n" : "\n",
		    perms[i].id);
		put_js(o, perms[i].name[l]);
		put(o, ",\"required\":%s,\"purpose\":",
		    perms[i].required ? "true" : "false");
		put_js(o, perms[i].purpose[l]);
		put(o, ",\"when\":");
		put_js(o, perms[i].when[l]);
		put(o, "}");
	}

	put(o, "],\n\"processing\":[");
	for (i = 0; i < ARRAY_SIZE(processing); i++) {
		put(o, "%s", i ? ",\n" : "\n");
		put_js(o, processing[i][l]);
	}

	put(o, "],\n\"rights\":[");
	for (i = 0; i < ARRAY_SIZE(rights); i++) {
		put(o, "%s", i ? ",\n" : "\n");
		put_js(o, rights[i][l]);
	}

	put(o, "]}\n");
}


static void md_gen(struct out *o, int l)
{
	size_t i;

	put(o, "# %s\n\n%s\n\n", l_title[l], l_summary[l]);
	put(o, "- %s: liblianluo\n- %s: %s\n- %s: %s\n\n", l_name[l],
	    l_prov[l], l_provider[l], l_ver[l], LL_VERSION_STR);

	put(o, "## %s\n\n", h_purposes[l]);
	for (i = 0; i < ARRAY_SIZE(purposes); i++)
		put(o, "- **%s**: %s\n", purposes[i].name[l],
		    purposes[i].text[l]);

	put(o, "\n## %s\n\n| %s | %s | %s | %s |\n|---|---|---|---|\n",
	    h_items[l], c_item[l], c_req[l], c_purpose[l], c_when[l]);
	for (i = 0; i < LL_PRIVACY_ITEM_COUNT; i++)
		put(o, "| %s (`%s`) | %s | %s | %s |\n",
		    item_texts[i].name[l], items[i].id,
		    items[i].required ? v_required[l] :
		    items[i].dflt ? v_optional_on[l] : v_optional_off[l],
		    item_texts[i].purpose[l], item_texts[i].when[l]);

	put(o, "\n## %s\n\n| %s | %s | %s | %s |\n|---|---|---|---|\n",
	    h_perms[l], c_perm[l], c_req[l], c_purpose[l], c_when[l]);
	for (i = 0; i < ARRAY_SIZE(perms); i++)
		put(o, "| %s | %s | %s | %s |\n", perms[i].name[l],
		    perms[i].required ? v_required[l] : v_optional_p[l],
		    perms[i].purpose[l], perms[i].when[l]);

	put(o, "\n## %s\n\n", h_proc[l]);
	for (i = 0; i < ARRAY_SIZE(processing); i++)
		put(o, "- %s\n", processing[i][l]);

	put(o, "\n## %s\n\n", h_rights[l]);
	for (i = 0; i < ARRAY_SIZE(rights); i++)
		put(o, "- %s\n", rights[i][l]);
}


const struct ll__pitem *ll__pitem(enum ll_privacy_item item)
{
	if ((unsigned)item >= LL_PRIVACY_ITEM_COUNT)
		return NULL;

	return &items[item];
}


LL_API const char *ll_privacy_item_name(enum ll_privacy_item item)
{
	const struct ll__pitem *it = ll__pitem(item);

	return it ? it->id : NULL;
}


LL_API const char *ll_privacy_disclosure(const char *lang,
					 const char *format)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static char texts[LANGS][2][TEXT_SZ];
	static bool made[LANGS][2];
	struct out o;
	int l, f;
	const char *s = NULL;

	if (!lang || !format)
		return NULL;

	if (!strcmp(lang, "en"))
		l = 0;
	else if (!strcmp(lang, "zh"))
		l = 1;
	else
		return NULL;

	if (!strcmp(format, "json"))
		f = 0;
	else if (!strcmp(format, "markdown"))
		f = 1;
	else
		return NULL;

	pthread_mutex_lock(&lock);

	if (!made[l][f]) {
		memset(&o, 0, sizeof(o));
		o.buf = texts[l][f];
		o.size = sizeof(texts[l][f]);
		if (f)
			md_gen(&o, l);
		else
			json_gen(&o, l);
		made[l][f] = !o.full;
	}

	if (made[l][f])
		s = texts[l][f];

	pthread_mutex_unlock(&lock);

	return s;
}

"""The dashboard's one translation table (中文 / English) and the units its audience reads.

Every label the dashboard, its exports and the report show comes from here: interface text
(:data:`UI`), metrics with their display unit and a one-to-two-sentence explanation
(:data:`METRICS`), rules (:data:`RULES`), rule parameters (:data:`PARAMS`), evaluation indicators
(:data:`INDICATORS`) and parameter units (:data:`UNITS`). Each entry is ``(中文, English)``.
Money is shown in 亿元 for city-size totals and 万元 per 亩 for intensities, land in 亩, shares in %.
"""

from __future__ import annotations

import math

from parksim.experiments.costs import DISCOUNT_RATE

LANGS = ("zh", "en")
DEFAULT = "zh"
COOKIE = "parksim_lang"
HTML_LANG = {"zh": "zh-CN", "en": "en"}

UI = {
    "title": ("ParkSim 园区政策研讨看板", "ParkSim workshop dashboard"),
    "language": ("语言", "Language"),
    "tab.builder": ("情景与运行", "Scenario and run"),
    "tab.series": ("时间序列", "Time series"),
    "tab.ab": ("A 与 B 对比", "A versus B"),
    "tab.map": ("园区地图", "Park map"),
    "tab.network": ("产业链网络", "Chain network"),
    "tab.sweeps": ("参数扫描", "Sweeps"),
    "tab.room": ("全场运行", "Room"),
    "col.group": ("小组", "group"),
    "col.run": ("运行", "run"),
    "col.saved": ("保存时间", "saved"),
    "room.title": ("全场各小组保存的运行（主持人视图）", "Every group's saved runs (facilitator view)"),
    "session.export": ("导出本组会话（一个文件）", "Export this group's session (one file)"),
    "session.import": ("导入会话文件", "Import a session file"),
    "imported": ("已导入 {n} 次运行", "{n} runs imported"),
    "not.imported": ("未导入：{error}", "Not imported: {error}"),
    "room.none": ("尚无保存的运行", "No saved runs yet"),
    "tab.glossary": ("指标说明", "Glossary"),
    "scenario": ("情景", "Scenario"),
    "replications": ("重复次数", "Replications"),
    "run": ("运行", "Run"),
    "cancel": ("取消", "Cancel"),
    "run.picker": ("运行", "Run"),
    "replication.picker": ("重复（第几次）", "Replication"),
    "no.run": ("尚无运行", "no run yet"),
    "run.first": ("请先运行一个情景", "Run a scenario first"),
    "choose.two": ("请选择两次运行（先运行两个情景）", "Choose two runs (run two scenarios first)"),
    "metric": ("指标", "Metric"),
    "park": ("园区", "Park"),
    "all.parks": ("全部园区", "all parks"),
    "year": ("年份", "Year"),
    "play": ("▶ 播放", "▶ Play"),
    "pause": ("❚❚ 暂停", "❚❚ Pause"),
    "sweep.store": ("扫描结果", "Sweep"),
    "reload": ("刷新列表", "Reload list"),
    "sweep.refused": ("拒绝：{name!r} 不是运行目录下的扫描结果名称", "Refused: {name!r} is not the name of a sweep in "
                      "the runs directory"),
    "sweep.runs": ("所点位置背后的运行", "Runs behind the clicked point or cell"),
    "sweep.choose": ("请选择一个扫描结果（parksim sweep 写在运行目录下）",
                     "Choose a sweep (parksim sweep writes them under the runs directory)"),
    "ab.table": ("主要指标：B − A，共同随机种子配对（末年；合计 = 全期总和）",
                 "Headline metrics: B − A on common seeds (final year; totals over the run)"),
    "ab.seeds": ("A 与 B 的根种子不同（{a}、{b}）：无法按共同种子配对",
                 "A and B have different root seeds ({a}, {b}): no common seeds to pair"),
    "status.running": ("{id}：{label}：已完成 {done}/{total} 次重复", "{id}: {label}: {done} of {total} replications"),
    "status.finished": ("{id}：{label}：{status}，用时 {seconds:.1f} 秒", "{id}: {label}: {status} after {seconds:.1f} s"),
    "status.done": ("完成", "done"),
    "status.cancelled": ("已取消", "cancelled"),
    "status.failed": ("失败", "failed"),
    "status.running.word": ("运行中", "running"),
    "run.option": ("{id}：{label}（{n} 次重复）", "{id}: {label} ({n} replications)"),
    "replication.option": ("第 {r} 次（种子 {seed}）", "replication {r} (seed {seed})"),
    "shows": ("显示：{label}，第 {r} 次重复（种子 {seed}）", "Showing: {label}, replication {r} (seed {seed})"),
    "bad.replications": ("重复次数：输入为 {value!r}；应为 1 至 {max} 的整数",
                         "replications: got {value!r}; allowed: an integer in [1, {max}]"),
    "not.run": ("未运行：{error}", "Not run: {error}"),
    "font.missing": ("未找到中文字体：页面和导出的图片中的中文会显示为方框。请安装 fonts-noto-cjk（sudo apt-get install "
                     "fonts-noto-cjk）后重新启动。",
                     "No Chinese (CJK) font found: Chinese text in the page and in PNG exports will show as empty "
                     "boxes. Install fonts-noto-cjk (sudo apt-get install fonts-noto-cjk) and restart."),
    "weights": ("考核指标权重（自动归一为 1）：", "indicator weights (rescaled to add up to 1):"),
    "source": ("依据：{source}", "source: {source}"),
    "export.title": ("下载本图 {fmt}", "download this chart as {fmt}"),
    "median.band": ("{n} 次重复的中位数与 5–95% 区间", "median and 5–95% band over {n} replications"),
    "band": ("5–95% 区间", "5–95% band"),
    "median": ("中位数", "median"),
    "diff.sub": ("配对差值均值（共同种子）与 95% 置信区间", "mean paired difference (common seeds), 95% CI"),
    "ci95": ("95% 置信区间", "95% CI"),
    "map.title": ("园区：{year} 年，气泡大小 ∝ 产值，颜色 = 最大产业", "Parks in {year}: size ∝ output, colour = largest sector"),
    "map.side": ("方案 {side}", "Run {side}"),
    "net.wait": ("产业链网络在本次运行的追踪完成后显示", "The chain network shows once this run's trace is in"),
    "map.sub": ("{label}，第 {r} 次重复（种子 {seed}）", "{label}, replication {r} (seed {seed})"),
    "no.output": ("无产出", "no output"),
    "x.km": ("东西（公里）", "x (km)"),
    "y.km": ("南北（公里）", "y (km)"),
    "x.lon": ("经度", "longitude"),
    "y.lat": ("纬度", "latitude"),
    "map.synthetic": ("合成省份：园区、县市位置为生成，置于真实边界之上",
                      "a synthetic province: parks, cities and counties are generated, placed on real borders"),
    "map.counties": ("县（合成）", "counties (synthetic)"),
    "net.title": ("供应链网络，{where}，{year} 年：{n} 家企业，{e} 条供应关系（★ 龙头企业；列：上游 → 下游）",
                  "Supplier network, {where}, {year}: {n} firms, {e} links (★ leading firm; columns: upstream → downstream)"),
    "flows.title": ("产业链流向，{where}，{year} 年：园区内 {e} 条供应关系（左：供应产业，右：采购产业）",
                    "Supply flows between sectors, {where}, {year}: {e} links within parks (left: suppliers, right: customers)"),
    "firm.network": ("企业网络（适合小园区）", "Firm network (for small parks)"),
    "net.park": ("园区 {park}", "park {park}"),
    "net.links": ("供应关系（{n}）", "supplier links ({n})"),
    "table.title": ("B − A：{b} 减 {a}，共同种子配对，95% 置信区间",
                    "B − A: {b} minus {a}, paired on common seeds, 95% CI"),
    "col.metric": ("指标", "metric"),
    "col.unit": ("单位", "unit"),
    "col.n": ("配对数", "pairs"),
    "col.mean_a": ("A 均值", "mean A"),
    "col.mean_b": ("B 均值", "mean B"),
    "col.diff": ("差值 B − A", "difference B − A"),
    "col.ci": ("95% 置信区间", "95% CI"),
    "col.rel_change": ("相对变化", "relative change"),
    "col.significant": ("显著", "significant"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "projector": ("投影模式", "Projector"),
    "previous": ("‹ 上一张", "‹ Previous"),
    "next": ("下一张 ›", "Next ›"),
    "tab.guided": ("引导对比", "Guided comparison"),
    "guided.intro": ("① 为方案 A 和 B 各选一个文件预设；② 调整 B 的政策杠杆（改动会高亮）；"
                     "③ 点击“运行两个方案”，两者用同一组随机种子，结果逐次配对比较。",
                     "① Pick a document preset for A and for B; ② change B's levers (changes are highlighted); "
                     "③ press “Run both”: both use the same random seeds, so results pair run by run."),
    "card": ("方案 {card}", "Scenario {card}"),
    "preset": ("文件预设", "Document preset"),
    "search": ("搜索规则（编号或名称）", "Search rules (id or name)"),
    "more.rules": ("更多规则（{n} 条）", "More rules ({n})"),
    "run.both": ("运行两个方案（共同随机种子）", "Run both (common seeds)"),
    "estimate": ("预计用时约 {seconds} 秒", "Estimated time about {seconds} s"),
    "estimate.none": ("首次运行后显示预计用时", "The expected time shows after a first run"),
    "prereq": ("已同时打开 {needed}（{users} 需要它的考核排名）", "{needed} switched on too ({users} use its ranking)"),
    "changed.none": ("与预设相同", "Same as the preset"),
    "changed": ("相对预设的改动：", "Changed from the preset: "),
    "rule.on": ("打开 {rid} {name}", "{rid} {name} switched on"),
    "rule.off": ("关闭 {rid} {name}", "{rid} {name} switched off"),
    "weights.changed": ("{rid} 考核权重已调整", "{rid} weights changed"),
    "verdict.head": ("B 相对 A（{changes}）：", "B against A ({changes}):"),
    "verdict.same": ("同一政策", "the same policy"),
    "verdict.next": ("下一步：在“A 与 B 对比”中逐年查看差异，或在“园区地图”“产业链网络”中查看各园区。",
                     "Next: see the difference year by year under “A versus B”, or each park under “Park map” "
                     "and “Chain network”."),
    "glossary.intro": ("各指标的含义（均为全部重复的统计）。", "What each metric means (over all replications)."),
    "sweep.curve": ("{metric}随{factor}的变化", "{metric} against {factor}"),
    "sweep.curve.sub": ("各重复的均值与 95% 置信区间；点击某点查看其运行", "mean over replications and 95% CI; click a point "
                        "for its runs"),
    "sweep.heat": ("{metric}：各重复的均值{pooled}", "{metric}: mean over replications{pooled}"),
    "sweep.heat.sub": ("点击某格查看其运行", "click a cell for its runs"),
    "sweep.pooled": ("（合并 {factors}）", " (pooled over {factors})"),
    "mean": ("均值", "mean"),
    "col.replication": ("重复", "replication"),
    "col.seed": ("种子", "seed"),
    "col.point": ("设计点", "design point"),
    "col.mean": ("均值", "mean"),
    "col.sd": ("标准差", "sd"),
    "col.runs": ("重复次数", "replications"),
    "report.title": ("ParkSim 报告：{title}", "ParkSim report: {title}"),
    "report.generated": ("生成于 {when} UTC。区间为各重复围绕中位数的 5–95%；差值按共同随机种子配对，附 95% 置信区间。",
                         "Generated {when} UTC. Bands are 5–95% of replications around the median; differences are "
                         "paired on common seeds with 95% CI."),
    "report.comparison": ("对比：{b} − {a}", "Comparison: {b} − {a}"),
    "report.final": ("末年数值；合计为全期总和。", "Final-year values; totals are sums over the run."),
    "report.unpaired": ("没有共同种子：两次运行无法配对。", "No common seeds: the runs cannot be paired."),
    "report.headline": ("主要指标：{label}", "Headline metrics: {label}"),
    "report.charts": ("图表", "Charts"),
    "report.parameters": ("情景参数", "Scenario parameters"),
    "report.unreadable": ("情景文件已无法读取，参数未列出。", "The scenario file is no longer readable; parameters not shown."),
    "report.seed": ("根种子 {seed}，{n} 次重复。", "Root seed {seed}, {n} replications."),
    "report.rules.on": ("已打开的规则", "Rules on"),
    "report.no.rules": ("未打开任何规则（基准情景）。", "No rule is on (the baseline)."),
    "report.world": ("模型参数（世界）", "World parameters"),
    "report.map": ("园区地图：{label}", "Park map: {label}"),
    "col.rule": ("规则", "rule"),
    "col.what": ("内容", "what"),
    "col.parameters": ("参数", "parameters"),
    "col.source": ("依据", "source"),
    "col.parameter": ("参数", "parameter"),
    "col.value": ("取值", "value"),
    "world.param": ("模型参数 {name}", "world parameter {name}"),
    # Cost-effectiveness (issue 11 §4; issue 13 item 3)
    "costs.title": ("财政成本与收益：A 与 B 并列", "Public cost and fiscal return: A and B side by side"),
    "costs.none": ("这些运行没有财政账户（早于财政模块的结果），没有成本效益指标。",
                   "These runs have no public-finance accounts (results from before the finance module): "
                   "no cost-effectiveness figures."),
    "costs.note": ("“–”：考察期内就业（税收、配套关系）未增加，单位成本无定义。"
                   f"现值按社会折现率 {DISCOUNT_RATE:.0%} 折现到考察期首年"
                   "（《建设项目经济评价方法与参数》第三版，2006）；A 与 B 的财政净收支之差即两方案不同政策的财政净回报。",
                   "“–”: jobs (tax, links) did not rise over the horizon, so a cost per unit is undefined. Present "
                   f"values are discounted to the horizon's first year at the social discount rate of {DISCOUNT_RATE:.0%} "
                   "(建设项目经济评价方法与参数, 3rd ed., 2006); the difference in net fiscal balance between A and B is "
                   "the net fiscal return of what differs between them."),
    "row.a": ("方案 A", "A"),
    "row.b": ("方案 B", "B"),
    "row.diff": ("差值 B − A", "B − A"),
    # --- cityfin: per-park and per-city costs (report, compare) ---
    "accounts.title": ("各园区（财政投入最多的 {top} 个）与各城市的财政成本与收益",
                       "Public cost and return by park (the {top} with the largest public cost) and by city"),
    "accounts.none": ("结果中没有分园区、分城市的财政账户（早于保存财政账户的结果）。",
                      "The results hold no per-park or per-city accounts (written before the finance table was stored)."),
    "accounts.note": ("各重复运行的均值；每个就业岗位（每元税收）的投入为平均投入除以平均新增；"
                      "“差值 B − A”一行中为 B 比 A 每多一个就业岗位（每多一元税收）的投入。城市的投入含其支付的奖补，"
                      "税收返还计入收到的园区；财政净收支不含城市一般公共服务支出；债务为期末平台债务。",
                      "Means over replications; money per job (per yuan of tax) is the mean cost over the mean gain; "
                      "in the B − A rows it is B's extra money per extra job (yuan of tax). A city's cost holds the "
                      "awards it pays; S4 returns count at the park receiving them; the fiscal balance leaves out the "
                      "cities' general services; debt is platform debt at the end."),
    "col.account": ("账户", "account"),
    "col.account.kind": ("类型", "kind"),
    "col.side": ("方案", "run"),
    "account.park": ("园区", "park"),
    "account.city": ("城市", "city"),
}

# Series and headline metrics: (中文, English, display unit key, explanation 中文, explanation English).
METRICS = {
    "output": ("工业产值", "Industrial output", "yi",
               "全部企业一年的工业总产值。", "Gross industrial output of all firms in a year."),
    "output_in_parks": ("园区工业产值", "Output in parks", "yi",
                        "园区内企业一年的工业总产值。", "Gross industrial output of the firms inside parks in a year."),
    "output_outside": ("园外工业产值", "Output outside parks", "yi",
                       "园区外企业一年的工业总产值。", "Gross industrial output of the firms outside parks in a year."),
    "park_output_share": ("园区产值占比", "Parks' share of output", "pct",
                          "园区内企业产值占全部工业产值的比例。", "Share of all industrial output made inside parks."),
    "firms_outside": ("园外企业数", "Firms outside parks", "firms", "园区外尚未退出的企业数。",
                      "Firms outside parks that have not exited."),
    "relocations": ("搬迁企业", "Relocations", "firms", "当年整体搬迁的企业数（出城入园、园区间、撤销园区迁出）。",
                    "Firms that moved whole that year (into parks, between parks, out of revoked parks)."),
    "value_added": ("工业增加值", "Value added", "yi",
                    "产值扣除中间投入后的增加值。", "Output minus intermediate inputs."),
    "tax": ("税收", "Tax", "yi", "企业一年缴纳的税收。", "Tax paid by firms in a year."),
    "employment": ("就业人数", "Employment", "persons", "在产企业的就业人数。", "Jobs in producing firms."),
    "firms_producing": ("在产企业数", "Firms producing", "firms", "当年正在生产的企业数量。",
                        "Number of firms producing that year."),
    "share_producing_in_parks": ("在园企业比例", "Share of producing firms in parks", "pct",
                                 "在产企业中位于园区内的比例。", "Share of producing firms that are inside a park."),
    "tax_per_mu": ("亩均税收（园区内）", "Tax per mu (in parks)", "wan_mu",
                   "园区企业税收除以其占地亩数，衡量土地产出效率。",
                   "Tax of park firms divided by their land in mu: how productive park land is."),
    "investment_intensity": ("投资强度", "Investment intensity", "wan_mu",
                             "园区企业累计投资除以占地亩数（入园门槛即以此衡量）。",
                             "Park firms' investment per mu of land (the entry thresholds are set on it)."),
    "land_granted": ("已供地", "Land granted", "mu", "累计出让给企业的工业用地。", "Industrial land granted to firms so far."),
    "land_built": ("已建成用地", "Land built", "mu", "已建成投产的用地。", "Granted land that is built on."),
    "land_idle": ("闲置土地", "Idle land", "mu", "已出让但未按期开工建设的土地。",
                  "Granted land not built on within the deadline."),
    "hightech_share": ("高新技术产业占比", "High-tech share", "pct", "高新技术产业产值占工业产值的比例。",
                       "Share of output from high-tech sectors."),
    "top3_share": ("前三大主导产业占比", "Top-three industries' share", "pct",
                   "各园区产值最大的三个产业占园区产值的比例（均值）。",
                   "Share of a park's output from its three largest industries (mean over parks)."),
    "declared_share": ("主导产业占比（申报）", "Leading-industry share (declared)", "pct",
                       "园区申报的主导产业占园区产值的比例。",
                       "Share of park output from the park's declared leading industries."),
    "chain_completeness": ("产业链完整度", "Industry-chain completeness", "pct",
                           "园区主导产业链上已有企业的环节所占比例。",
                           "Share of the stages of a park's leading chains that have a firm in the park."),
    "eg_gamma_mean": ("产业集聚指数 (EG γ)", "Agglomeration index (EG γ)", "index",
                      "Ellison-Glaeser 集聚指数，按产业平均；大于 0.05 为明显集聚，接近 0 为随机分布。",
                      "Ellison-Glaeser agglomeration index averaged over sectors; above 0.05 is strong clustering, "
                      "near 0 is random location."),
    "local_sourcing": ("本地配套率", "Local sourcing", "pct", "供应关系中供需双方在同一园区的比例。",
                       "Share of supplier links with both firms in the same park."),
    "pollution": ("污染排放", "Pollution", "units", "企业一年的污染排放（模型单位）。",
                  "Firms' emissions in a year (model units)."),
    "energy": ("能耗", "Energy use", "units", "企业一年的能源消耗（模型单位）。", "Firms' energy use in a year (model units)."),
    "parks_active": ("在运营园区数", "Active parks", "parks", "未被撤销的园区数。", "Parks not revoked."),
    "parks_revoked_total": ("累计撤销园区数", "Parks revoked (total)", "parks", "考核淘汰累计撤销的园区数。",
                            "Parks revoked by the evaluation so far."),
    "parks_warned": ("受警告园区", "Parks warned", "parks", "处于处罚阶梯上的园区数。", "Parks on the sanction ladder."),
    "parks_revoked": ("当年撤销园区", "Parks revoked this year", "parks", "当年被撤销的园区数。", "Parks revoked that year."),
    "parks_upgraded": ("当年升级园区", "Parks upgraded this year", "parks", "当年升级的园区数。", "Parks upgraded that year."),
    "entries": ("新入驻企业", "Entries", "firms", "新落地的企业数。", "Firms that arrived."),
    "exits": ("退出企业", "Exits", "firms", "停产退出的企业数。", "Firms that closed."),
    "projects_lost": ("流失项目", "Projects lost", "projects", "因门槛、用地或吸引力不足而转投全国其他地区的项目数。",
                      "Projects that left for the rest of the country (refused, no land, or a better offer elsewhere)."),
    "land_recovered": ("收回土地", "Land taken back", "mu", "收回的闲置或低效用地。", "Idle or low-efficiency land taken back."),
    "subsidies_paid": ("财政补贴", "Subsidies paid", "wan", "政府支付的补贴与奖励。", "Subsidies and awards paid by government."),
    "idle_fees": ("闲置费", "Idle-land fees", "wan", "收取的土地闲置费。", "Idle-land fees collected."),
    # Cost-effectiveness over the horizon (parksim.experiments.costs; issue 11 §4)
    "public_cost": ("政策工具财政投入", "Public money spent on instruments", "yi",
                    "考察期内各项政策工具的财政投入合计（地价优惠、补贴奖励、税收返还、园区设立），未折现；基础设施另列。",
                    "Public money spent on the instruments over the horizon (land discounts, subsidies and awards, "
                    "tax returns, designation), not discounted; infrastructure is shown apart."),
    "jobs_gained": ("新增就业", "Jobs gained", "persons", "考察期末就业人数减去期初。",
                    "Jobs at the end of the horizon minus jobs at its start."),
    "tax_gained": ("新增税收（累计）", "Tax gained (cumulative)", "yi", "考察期内各年税收超出期初水平部分之和。",
                   "Tax above the starting year's level, summed over the horizon."),
    "links_gained": ("新增配套关系", "Supplier links gained", "links", "期末在产企业之间的供应关系数减去期初。",
                     "Supplier links between producing firms at the end of the horizon minus those at its start."),
    "cost_per_job": ("每个新增就业岗位的财政投入", "Public money per job gained", "wan_job",
                     "政策工具财政投入除以新增就业；就业未增加时无定义（显示为 –）。",
                     "Public money spent on instruments divided by jobs gained; undefined (shown as –) where jobs "
                     "did not rise."),
    "cost_per_tax": ("每元新增税收的财政投入", "Public money per yuan of tax gained", "yuan_yuan",
                     "政策工具财政投入除以考察期累计新增税收；税收未增加时无定义（显示为 –）。",
                     "Public money spent on instruments divided by the tax gained over the horizon; undefined (shown "
                     "as –) where tax did not rise."),
    "cost_per_link": ("每条新增配套关系的财政投入", "Public money per supplier link gained", "wan_link",
                      "政策工具财政投入除以新增供应关系；配套关系未增加时无定义（显示为 –）。",
                      "Public money spent on instruments divided by supplier links gained; undefined (shown as –) "
                      "where links did not rise."),
    "fiscal_balance_pv": ("财政净收支（现值）", "Net fiscal balance (present value)", "yi",
                          f"考察期内地方财政收入减支出，按社会折现率 {DISCOUNT_RATE:.0%} 折现；"
                          "A 与 B 之差即不同政策的财政净回报。",
                          f"Local government income minus spending over the horizon, discounted at {DISCOUNT_RATE:.0%}; "
                          "the difference between A and B is the net fiscal return of what differs."),
    "pv_land_discount": ("地价优惠成本（现值）", "Land price discounts (present value)", "yi",
                         "以低于基准地价出让工业用地少收的收入（L8），折现。",
                         "Land income forgone by selling industrial land below the benchmark price (L8), discounted."),
    "pv_subsidies": ("补贴与奖励（现值）", "Subsidies and awards (present value)", "yi",
                     "专项资金、招商与产业资金对企业的补贴奖励（S1–S3、S6）和先进园区奖励（V3），折现。",
                     "Subsidies and awards to firms from the special, attraction and industry funds (S1–S3, S6) and "
                     "rewards to the best parks (V3), discounted."),
    "pv_tax_returned": ("税收返还（现值）", "Tax returned (present value)", "yi", "返还园区的税收增量（S4），折现。",
                        "Tax increments returned to parks (S4), discounted."),
    "pv_infrastructure": ("基础设施投入（现值）", "Infrastructure (present value)", "yi", "园区基础设施支出（S5），折现。",
                          "Spending on park infrastructure (S5), discounted."),
    "pv_designation": ("园区设立成本（现值）", "Designation package (present value)", "yi",
                       "新设或升级园区的配套投入，折现。", "What designating or upgrading parks costs, discounted."),
    "pv_instrument_cost": ("政策工具成本合计（现值）", "All instruments (present value)", "yi",
                           "地价优惠、补贴奖励、税收返还与园区设立投入合计，折现。",
                           "Land discounts, subsidies and awards, tax returns and designation together, discounted."),
    "extra_cost_per_job": ("B 比 A 每多一个就业岗位的财政投入", "B's extra public money per extra job", "wan_job",
                           "B 比 A 多花的财政投入除以 B 比 A 多增加的就业（共同种子配对的均值之比）；"
                           "B 平均没有多增就业时无定义。",
                           "What B spent beyond A divided by the jobs B gained beyond A (ratio of the mean paired "
                           "differences); undefined where B gains no more jobs than A on average."),
    "extra_cost_per_tax": ("B 比 A 每多一元税收的财政投入", "B's extra public money per extra yuan of tax", "yuan_yuan",
                           "B 比 A 多花的财政投入除以 B 比 A 多得的累计税收；B 平均没有多得税收时无定义。",
                           "What B spent beyond A divided by the tax B gained beyond A; undefined where B gains no "
                           "more tax than A on average."),
    "extra_cost_per_link": ("B 比 A 每多一条配套关系的财政投入", "B's extra public money per extra supplier link",
                            "wan_link", "B 比 A 多花的财政投入除以 B 比 A 多增加的供应关系；B 平均没有多增时无定义。",
                            "What B spent beyond A divided by the supplier links B gained beyond A; undefined where B "
                            "gains no more links than A on average."),
    "debt_end": ("期末平台债务", "Platform debt at the end", "yi", "考察期末园区投融资平台的债务余额（S8）。",
                 "Debt of the park financing platforms at the end of the horizon (S8)."),
    "debt_service_peak": ("最高年度还本付息", "Peak yearly debt service", "yi", "考察期内一年中最多的还本付息额。",
                          "The largest yearly interest and repayment over the horizon."),
    # Competition for investors (competition.py)
    "offer_subsidies": ("园区自设补贴", "Parks' own subsidies", "wan", "园区按招商承诺支付的投资补贴。",
                        "Subsidies parks paid on the offers firms came under."),
    "offer_rebates": ("税收返还企业", "Tax rebated to firms", "wan", "园区按招商承诺返还企业的税收。",
                      "Tax parks returned to firms under their offers."),
    "attraction_effort": ("招商投入", "Investment-attraction effort", "wan", "园区的招商经费。",
                          "What parks spent on attracting investors."),
    "offer_subsidy_mean": ("平均补贴承诺", "Mean subsidy offered", "pct", "开放园区自设补贴率的平均值。",
                           "Mean own subsidy rate offered by open parks."),
    "offer_factor_mean": ("平均地价系数", "Mean land-price factor offered", "index",
                          "开放园区报价地价系数的平均值（1 为无优惠）。",
                          "Mean land price factor offered by open parks (1: no discount)."),
    "projects_passed": ("异地流转项目", "Projects passed on (S7)", "projects", "按主导产业定位流转到其他园区的项目数。",
                        "Projects passed to a park that declares their industry."),
    "tax_shared": ("流转项目分享税收", "Tax shared with passing parks", "wan", "流转项目向流出园区分享的税收。",
                   "Tax of passed projects shared with the park that passed them."),
}
TOTAL_PREFIX = ("合计：", "total ")

# Display units: factor applied to the stored value (stored money is 万元), and its label.
UNITS_SHOWN = {
    "yi": (1e-4, "亿元", "100 million yuan (亿元)"),
    "wan": (1.0, "万元", "10,000 yuan (万元)"),
    "wan_mu": (1.0, "万元/亩", "万元 per mu"),
    "mu": (1.0, "亩", "mu"),
    "pct": (100.0, "%", "%"),
    "index": (1.0, "", ""),
    "persons": (1.0, "人", "persons"),
    "firms": (1.0, "家", "firms"),
    "parks": (1.0, "个", "parks"),
    "projects": (1.0, "个", "projects"),
    "units": (1.0, "单位", "units"),
    "wan_job": (1.0, "万元/人", "万元 per job"),
    "yuan_yuan": (1.0, "元/元", "yuan per yuan"),
    "wan_link": (1.0, "万元/条", "万元 per link"),
    "links": (1.0, "条", "links"),
}

FAN_TITLES = {
    "land": ("用地：已供、已建、闲置", "Land granted, built and idle"),
    "entries_exits": ("企业进入与退出", "Entries and exits"),
    "parks_sanctioned": ("园区警告、撤销与升级", "Parks warned, revoked and upgraded"),
}

RULES = {
    "L1": ("项目入园（园外不供地）", "Projects must locate in parks"), "L2": ("有限指标保重点", "Limited quota to key projects"),
    "L3": ("每园最低年度用地指标", "Minimum yearly quota per park"),
    "L4": ("用地指标向考核优秀园区倾斜", "Quota tilted to well-evaluated parks"),
    "L5": ("批次用地比例上限", "Cap on batch land applications"), "L6": ("按资金到位分期供地", "Land in phases as funds arrive"),
    "L7": ("标准厂房（中小企业不单独供地）", "Standard factories for SMEs"),
    "L8": ("主导产业集约项目地价优惠", "Land price discount"),
    "L9": ("新区扩区用地 1:1:1", "Industry : residential : public = 1:1:1"),
    "L10": ("出城入园（整体搬迁）", "Relocation into parks"),
    "L11": ("计划外用地（未利用地、增减挂钩）", "Land outside the yearly quota"),
    "E1": ("投资强度门槛（按园区级别）", "Investment-intensity threshold"),
    "E2": ("项目“五条原则”筛选", "Five-principle screening"),
    "E3": ("限制“两高一低”项目", "Restrict polluting low-level projects"), "E4": ("环境准入与排放指标", "Environmental entry"),
    "E5": ("投资强度达标方可扩区", "Expansion only at standard intensity"),
    "S1": ("园区发展专项资金（以奖代补）", "City special fund for parks"),
    "S2": ("招商资金优先重大项目", "Funds first to major projects"),
    "S3": ("产业资金优先主导产业", "Funds first to leading industries"), "S4": ("税收增量返还园区", "Tax-increment returns"),
    "S5": ("土地出让收入用于园区建设", "Land income spent on the park"),
    "S6": ("研发机构与高新企业优先支持", "Priority for R&D and high-tech"),
    "S7": ("有序招商、避免恶性竞争", "Orderly investment attraction"), "S8": ("园区投融资平台", "Park financing platforms"),
    "V1": ("园区年度考核排名", "Yearly evaluation and ranking"),
    "V2": ("月通报、季点评、年评比", "Bulletins, reviews and awards"),
    "V3": ("奖励先进园区", "Rewards for the best parks"), "V4": ("末位淘汰", "Elimination of the bottom parks"),
    "V5": ("有升有退分级处理", "Graded sanctions and upgrades"),
    "V6": ("企业亩均税收分类与差别化价格", "Firm classes and differentiated factor prices"),
    "V7": ("“增、调、降、退”规划调整", "Plan adjustment (grow, adjust, cut, exit)"),
    "X1": ("闲置土地收回", "Idle land taken back"), "X2": ("开工与达产期限", "Build-out deadlines"),
    "X3": ("低效用地腾笼换鸟", "Low-efficiency land transferred"), "X4": ("停产半停产企业处置", "Stopped firms handled"),
    "X5": ("重点污染项目退出与能耗双控", "Polluter exit and energy dual control"),
    "C1": ("园区主导产业数量", "Number of leading industries"), "C2": ("主导产业占比目标", "Leading-industry share target"),
    "C3": ("龙头企业—产业链—集群", "Leading firm → chain → cluster"),
    "C4": ("同类企业集中入园（错位发展）", "Same-type firms together"),
    "C5": ("“四个一”", "The four ones"), "C6": ("循环经济", "Circular economy"), "C7": ("整合归并园区", "Consolidation of parks"),
    "C8": ("共建园区与飞地经济", "Co-built and enclave parks"),
}
FAMILIES = {"L": ("用地指标", "Land quota"), "E": ("入驻门槛", "Entry thresholds"), "S": ("财政支持", "Subsidies and funds"),
            "V": ("考核、奖优汰劣", "Evaluation, reward and elimination"), "X": ("闲置土地、腾笼换鸟", "Idle land and exit"),
            "C": ("主导产业、产业链", "Industry structure and chains")}

PARAMS = {
    ("L2", "county_key_min"): ("县级重点项目投资下限", "County key-project minimum"),
    ("L2", "city_key_min"): ("市级重点项目投资下限", "City key-project minimum"),
    ("L2", "reserve_min"): ("动用市级预留指标的投资下限", "Minimum for the city's reserved quota"),
    ("L2", "reserve_share"): ("市级预留指标比例", "Reserved share of the quota"),
    ("L3", "min_mu"): ("每园最低用地指标", "Minimum quota per park"),
    ("L4", "tilt"): ("向优秀园区倾斜的力度", "Tilt towards good parks"),
    ("L4", "cut_share"): ("落后园区指标核减比例", "Quota cut for laggards"),
    ("L5", "max_share"): ("批次用地比例上限", "Batch share cap"),
    ("L6", "phases"): ("分期供地期数", "Land phases"),
    ("L7", "sme_max_investment"): ("进标准厂房的中小企业投资上限", "SME investment ceiling"),
    ("L7", "build_m2"): ("每园每年新建标准厂房面积", "Standard-factory floor built per park a year"),
    ("L7", "floor_area_ratio"): ("标准厂房容积率", "Plot ratio of standard factories"),
    ("L7", "floor_per_mu"): ("每亩自建用地折算厂房面积", "Floor rented per mu of own land"),
    ("L7", "rent"): ("标准厂房年租金", "Yearly rent of standard-factory floor"),
    ("L7", "build_cost"): ("标准厂房建设成本", "Building cost of standard-factory floor"),
    ("L2", "city_share"): ("市级重点项目用地池比例", "City pool for city key projects"),
    ("L2", "reclaim_share"): ("每年挖潜（整治）土地比例", "Reclaimed land a year"),
    ("L4", "pool_share"): ("用地指标公共池比例", "Common pool of the land quota"),
    ("V5", "low_use_factor"): ("低效园区强度系数", "Intensity factor of a low-efficiency park"),
    ("V5", "min_tax_per_mu"): ("效益差园区亩均税收线", "Tax per mu of a poorly performing park"),
    ("V5", "pollution_factor"): ("环保不达标排放系数", "Emission factor of a failing park"),
    ("X2", "min_invested_share"): ("闲置认定投资比例", "Share invested below which land is idle"),
    ("X2", "agreement_years"): ("协议收回年限", "Years before take-back by agreement"),
    ("X2", "agreement_margin"): ("无力建设的利润率线", "Margin of a project unable to build"),
    ("C3", "induced_bonus"): ("引致项目对引领园区的偏好", "Pull of the inducing park on its projects"),
    ("L8", "min_factor"): ("优惠地价下限", "Lowest land-price factor"),
    ("L8", "max_factor"): ("优惠地价上限", "Highest land-price factor"),
    ("L9", "industrial_share"): ("新增面积中工业用地比例", "Industrial share of added area"),
    ("L10", "plan_years"): ("搬迁方案期限（年内搬完）", "Years within which planned moves fall"),
    ("L10", "coverage"): ("有搬迁方案的园外企业比例", "Share of outside-park firms with a move plan"),
    ("L11", "supply_share"): ("计划外用地年供应（× 年度指标）", "Off-quota land a year (× yearly quota)"),
    ("E1", "national"): ("国家级园区投资强度门槛", "National-park intensity threshold"),
    ("E1", "provincial"): ("省级园区投资强度门槛", "Provincial-park intensity threshold"),
    ("E1", "city"): ("市级园区投资强度门槛", "City-park intensity threshold"),
    ("E1", "county"): ("县级园区投资强度门槛", "County-park intensity threshold"),
    ("E2", "w_policy"): ("符合国家产业政策（权重）", "Weight: fits industrial policy"),
    ("E2", "w_major"): ("重大项目（权重）", "Weight: major project"),
    ("E2", "w_leading"): ("龙头项目（权重）", "Weight: leading project"),
    ("E2", "w_industry"): ("主导产业项目（权重）", "Weight: leading-industry project"),
    ("E2", "w_intensity"): ("达到投资强度（权重）", "Weight: meets intensity standard"),
    ("E2", "pass_mark"): ("评审通过分", "Pass mark of the review"),
    ("E2", "major_min"): ("重大项目投资下限", "Major-project minimum"),
    ("E3", "buffer_share"): ("生态隔离带附加用地比例", "Buffer land share"),
    ("E4", "quota_per_mu"): ("每亩排放指标", "Emission quota per mu"),
    ("E5", "standard_factor"): ("扩区所需强度（× E1 标准）", "Intensity needed to expand (× E1)"),
    ("S1", "budget"): ("专项资金年度规模", "Yearly fund"),
    ("S1", "growth"): ("专项资金年增长率", "Fund growth per year"),
    ("S1", "rate"): ("补贴占投资比例", "Subsidy rate on investment"),
    ("S2", "major_min"): ("重大项目投资下限", "Major-project minimum"),
    ("S2", "service_speedup"): ("一对一服务缩短的年数", "Years saved by one-to-one service"),
    ("S4", "years"): ("税收返还年限", "Years of tax returns"),
    ("S4", "share"): ("返还增量比例", "Share of the increment returned"),
    ("S5", "share"): ("土地收入用于园区的比例", "Share of land income spent on the park"),
    ("S6", "bonus_rate"): ("研发与高新企业补贴比例", "R&D and high-tech bonus rate"),
    ("S8", "leverage"): ("平台资产负债率上限", "Platform leverage limit"),
    ("S8", "interest_rate"): ("平台融资利率", "Platform interest rate"),
    ("S8", "maturity"): ("平台债务期限", "Platform debt maturity"),
    ("S8", "draw_share"): ("每年动用的剩余举债空间比例", "Share of debt room drawn a year"),
    ("V2", "mega_min"): ("评优所需单个项目投资下限", "Project size needed for 'excellent'"),
    ("V3", "top_share"): ("受奖园区比例", "Share of parks rewarded"),
    ("V3", "quota_bonus"): ("受奖园区用地指标加权", "Extra quota weight for rewarded parks"),
    ("V3", "award"): ("每园奖金", "Award per park"),
    ("V4", "bottom_share"): ("末位淘汰比例", "Bottom share eliminated"),
    ("V4", "years"): ("连续末位年数", "Consecutive bottom years"),
    ("V5", "bottom_share"): ("受处罚园区比例", "Bottom share sanctioned"),
    ("V5", "area_cut_share"): ("核减未建面积比例", "Share of unbuilt area cut"),
    ("V5", "top_share"): ("升级候选园区比例", "Top share for upgrades"),
    ("V5", "upgrade_years"): ("升级所需连续优秀年数", "Top years needed to upgrade"),
    ("V5", "expansion_share"): ("升级时扩区比例", "Expansion on upgrade"),
    ("V6", "class_a_min"): ("A 类企业亩均税收下限", "Class A minimum tax per mu"),
    ("V6", "class_b_min"): ("B 类企业亩均税收下限", "Class B minimum tax per mu"),
    ("V6", "class_c_min"): ("C 类企业亩均税收下限", "Class C minimum tax per mu"),
    ("V6", "rd_classes"): ("研发创新企业上调类别数", "Classes up for R&D-intensive firms"),
    ("V6", "energy_classes"): ("高能耗企业下调类别数", "Classes down for energy-intensive firms"),
    ("V6", "energy_max"): ("单位产值能耗上限", "Energy per output limit"),
    ("V6", "land_a_discount"): ("A 类企业土地使用税减免", "Class A land-use tax relief"),
    ("V6", "land_d_surcharge"): ("D 类企业土地使用税加征", "Class D land-use tax surcharge"),
    ("V6", "power_a_discount"): ("A 类企业电价优惠", "Class A power price discount"),
    ("V6", "power_d_surcharge"): ("D 类企业差别电价", "Class D power price surcharge"),
    ("V6", "water_a_discount"): ("A 类企业水价优惠", "Class A water price discount"),
    ("V6", "water_d_surcharge"): ("D 类企业差别水价", "Class D water price surcharge"),
    ("V6", "credit_a_discount"): ("A 类企业贷款利率优惠", "Class A loan rate discount"),
    ("V6", "credit_d_surcharge"): ("D 类企业贷款利率上浮", "Class D loan rate surcharge"),
    ("V7", "period"): ("规划调整周期", "Adjustment period"),
    ("V7", "grow_built_share"): ("扩区所需建成比例", "Built share to grow"),
    ("V7", "grow_share"): ("扩区面积比例", "Growth of area"),
    ("V7", "cut_built_share"): ("核减所依据的建成比例", "Built share below which area is cut"),
    ("V7", "cut_share"): ("核减未建面积比例", "Share of unbuilt area cut"),
    ("X1", "idle_years"): ("闲置收回年限", "Idle years before take-back"),
    ("X2", "fee_years"): ("征收闲置费前的年限", "Years before the idle fee"),
    ("X2", "fee_rate"): ("闲置费率（× 地价/年）", "Idle fee rate (× land value per year)"),
    ("X2", "takeback_years"): ("未开工收回年限", "Years unstarted before take-back"),
    ("X2", "capacity_years"): ("达产期限", "Years to reach capacity"),
    ("X2", "min_capacity"): ("达产比例要求", "Required share of design capacity"),
    ("X3", "tax_per_mu_min"): ("低效用地亩均税收线", "Low-efficiency tax-per-mu line"),
    ("X3", "years"): ("连续低效年数", "Consecutive low years"),
    ("X5", "cap_growth"): ("能耗总量上限年增长", "Energy cap growth per year"),
    ("C1", "max_national"): ("国家级园区主导产业数上限", "Leading industries, national parks"),
    ("C1", "max_other"): ("其他园区主导产业数上限", "Leading industries, other parks"),
    ("C2", "target"): ("主导产业占比目标", "Leading-industry share target"),
    ("C2", "mode"): ("形式（入园门槛 / 考核目标）", "Form (entry gate / evaluated target)"),
    ("C2", "promotion"): ("未达标园区对主导产业项目的招商力度", "Courting of leading-industry projects below target"),
    ("C3", "chain_pull"): ("产业链招商吸引力", "Chain pull"),
    ("C3", "induced_projects"): ("每家龙头企业每年带动项目数", "Projects induced per leading firm"),
    ("C4", "strength"): ("同类集中的引导力度", "Strength of guidance"),
    ("C4", "max_parks_per_sector"): ("每个产业最多园区数", "Most parks per sector"),
    ("C5", "mega_min"): ("“一个大项目”投资下限", "Size of the 'one big project'"),
    ("C5", "mega_bonus"): ("大项目吸引力加成", "Big-project bonus"),
    ("C5", "cluster_min"): ("“一个集群”产值下限", "Output of the 'one cluster'"),
    ("C6", "cost_saving"): ("循环利用节约成本比例", "Cost saving"),
    ("C6", "pollution_cut"): ("污染削减比例", "Pollution cut"),
    ("C7", "max_blocks"): ("一区多园最多片区数", "Most blocks per zone"),
    ("C7", "small_mu"): ("被归并的小园区面积", "Size of a small park"),
    ("C7", "merges_per_year"): ("每区每年整合园区数", "Parks merged per zone a year"),
    ("C8", "tax_share"): ("合作方税收分成比例", "Partner's share of tax"),
    ("C8", "output_share"): ("合作方统计产值分成比例", "Partner's share of output"),
    ("S7", "min_price_factor"): ("最低地价系数（招商优惠上限）", "Lowest land-price factor offered"),
    ("S7", "max_subsidy"): ("园区自设补贴上限", "Largest own subsidy rate"),
    ("S7", "max_rebate"): ("税收返还企业上限", "Largest tax rebate to firms"),
    ("S7", "tax_share"): ("流转项目税收分享比例", "Tax share of a passed project"),
    ("S7", "share_years"): ("流转项目税收分享年限", "Years of tax sharing"),
}

# World (non-policy) parameters that sweeps and reports show, by their WorldConfig name; a parameter not
# listed shows as "world parameter <name>".
WORLD = {
    "years": ("模拟年数", "Years simulated"), "start_year": ("起始年份", "Start year"),
    "n_parks": ("园区数", "Number of parks"), "n_cities": ("城市数", "Number of cities"),
    "initial_firms": ("初始企业数", "Firms at the start"), "projects_per_year": ("每年新项目数", "New projects per year"),
    "project_growth": ("项目数年增长率", "Growth of projects per year"),
    "investment_scale": ("项目投资规模", "Project investment scale"),
    "investment_tail": ("项目规模尾部指数", "Tail exponent of project size"),
    "beta_price": ("地价对选址的影响", "Weight of land price in location"),
    "beta_subsidy": ("补贴对选址的影响", "Weight of subsidies in location"),
    "beta_agglomeration": ("同业集聚对选址的影响", "Weight of same-sector firms in location"),
    "beta_chain": ("上游配套对选址的影响", "Weight of upstream suppliers in location"),
    "beta_infrastructure": ("基础设施对选址的影响", "Weight of infrastructure in location"),
    "beta_level": ("园区级别对选址的影响", "Weight of park level in location"),
    "beta_declared": ("主导产业对选址的影响", "Weight of declared leading industries in location"),
    "outside_utility": ("园外选址的吸引力", "Appeal of locating outside parks"),
    "land_price_base": ("工业用地基准地价", "Base industrial land price"),
    "land_quota": ("年度新增建设用地指标", "Yearly construction-land quota"),
    "start_prob": ("项目年开工概率", "Yearly chance a project starts"),
    "build_years": ("建设年数", "Years of construction"), "ramp_years": ("达产年数", "Years to full capacity"),
    "productivity_sigma": ("企业生产率离散度", "Spread of firm productivity"),
    "margin_mean": ("平均利润率", "Mean profit margin"), "margin_sigma": ("利润率离散度", "Spread of profit margins"),
    "shock_sigma": ("年度利润冲击", "Yearly margin shocks"),
    "agglomeration_elasticity": ("集聚对产出的弹性", "Output gain from same-sector firms"),
    "chain_elasticity": ("产业链配套对产出的弹性", "Output gain from local suppliers"),
    "equity_share": ("企业自有资金比例", "Owners' equity share"),
    "loss_years": ("亏损停产年数", "Loss years before a firm stops"),
    "bankruptcy_years": ("停产企业土地锁定年数", "Years a stopped firm's land stays locked"),
    "links_per_firm": ("每家企业的供应关系数", "Supplier links per firm"),
    "local_preference": ("园内配套偏好", "Preference for suppliers in the own park"),
    # Generated worlds and places.
    "national_share": ("国家级园区比例", "Share of national parks"),
    "provincial_share": ("省级园区比例", "Share of provincial parks"),
    "city_share": ("市级园区比例", "Share of city parks"), "urban_share": ("城区内园区比例", "Share of parks in urban areas"),
    "park_area_median": ("园区面积中位数", "Median park area"),
    "region_lon": ("模拟省份中心经度", "Longitude of the synthetic province"),
    "region_lat": ("模拟省份中心纬度", "Latitude of the synthetic province"),
    "region_km": ("模拟省份范围", "Size of the synthetic province"), "city_km": ("模拟城市范围", "Size of a synthetic city"),
    "counties_per_city": ("每市县区数", "Counties per city"),
    # The economy outside parks and relocation.
    "outside_firm_share": ("园外企业比例", "Share of firms outside parks"),
    "l1_move_prob": ("园外企业年入园概率（L1）", "Yearly chance an outside firm moves in (L1)"),
    "relocation_review_share": ("每年考虑搬迁的企业比例", "Share of firms reviewing their park each year"),
    "revoked_move_prob": ("撤销园区企业年迁出概率", "Yearly chance a firm leaves a revoked park"),
    "move_cost_share": ("搬迁成本占投资比例", "Cost of a move, share of investment"),
    "move_restart_utilization": ("搬迁当年开工率", "Utilization in the year of a move"),
    # Investment sources and choice.
    "investment_min": ("最小项目投资", "Smallest project"), "investment_max": ("最大项目投资", "Largest project"),
    "leading_min": ("龙头企业投资门槛", "Investment that makes a leading firm"),
    "startup_rate": ("本地新创企业率", "Local start-ups per related firm"),
    "expansion_rate": ("企业年扩产概率", "Yearly chance a firm expands"),
    "expansion_size": ("扩产规模", "Size of an expansion"),
    "outside_land_price": ("园外地价", "Land price outside parks"),
    "rest_utility": ("外省（全国其他地区）吸引力", "Appeal of the rest of the country"),
    "beta_distance": ("距离对本地项目选址的影响", "Weight of distance for local projects"),
    "home_bonus": ("本地项目的恋家偏好", "Home preference of local projects"),
    "rest_distance_km": ("到全国其他地区的距离", "Distance to the rest of the country"),
    "max_densify": ("项目最多提高投资强度倍数", "Most a project densifies to meet a standard"),
    "beta_densify": ("提高投资强度的代价", "Cost of densifying"),
    "choice_set_size": ("每个项目比较的园区数", "Parks each project compares"),
    "level_price_step": ("每升一级地价增加", "Land price added per level"),
    "build_failure": ("年停建概率", "Yearly chance construction stalls"),
    "infrastructure_elasticity": ("基础设施对产出的弹性", "Output gain from infrastructure"),
    # Productivity and spillovers.
    "learning_gain": ("干中学的生产率增益", "Productivity gain from learning"),
    "learning_years": ("干中学年限", "Years of learning"),
    "spillover_elasticity": ("知识溢出弹性", "Elasticity of spillovers"),
    "spillover_reference_output": ("溢出参照产值", "Reference output of spillovers"),
    "spillover_decay_km": ("溢出衰减距离", "Distance at which spillovers decay"),
    "spillover_cutoff_km": ("溢出截止距离", "Cut-off distance of spillovers"),
    "spillover_own_weight": ("同行业溢出权重", "Weight of same-sector spillovers"),
    "spillover_io_weight": ("上下游溢出权重", "Weight of input-output spillovers"),
    "tfp_profit_share": ("生产率对利润的影响", "Weight of productivity in profit"),
    # Park finances and designation.
    "base_infra_budget": ("基础设施基本预算", "Base infrastructure budget"),
    "infra_cost": ("基础设施单位成本", "Cost of infrastructure"),
    "infra_depreciation": ("基础设施折旧率", "Infrastructure depreciation"),
    "expansion_trigger": ("申请扩区的用地比例", "Share granted at which a park asks to expand"),
    "new_parks_per_year": ("每年新设园区数", "New parks a year"),
    "listed_quota_share": ("单列用地指标比例", "Share of the quota listed by level"),
    "quota_level_step": ("每升一级单列指标权重", "Listed quota weight added per level"),
    "tax_retained_step": ("每升一级留存税收比例", "Tax retained added per level"),
    "budget_level_step": ("每升一级基础设施预算增加", "Infrastructure budget added per level"),
    "designation_grant": ("升级一次性补助", "One-off grant per level gained"),
    "start_level_step": ("每升一级开工概率增加", "Start chance added per level"),
    "setup_years": ("新园区筹建年数", "Years to set up a new zone"),
    "land_conversion_cost": ("新园区土地转用成本", "Land conversion cost of a new zone"),
    # Local-government finance (finance.py)
    "site_preparation_cost": ("七通一平成本", "Site preparation cost"),
    "vat_share_of_tax": ("增值税占企业税收比例", "VAT share of a firm's tax"),
    "cit_share_of_tax": ("企业所得税占企业税收比例", "Income-tax share of a firm's tax"),
    "vat_local_share": ("增值税地方分成（营改增前）", "Local share of VAT before the reform"),
    "vat_local_share_after": ("增值税地方分成（营改增后）", "Local share of VAT after the reform"),
    "vat_reform_year": ("营改增年份", "Year of the VAT reform"),
    "cit_local_share": ("企业所得税地方分成", "Local share of income tax"),
    "other_local_share": ("其他税收地方分成", "Local share of other taxes"),
    "commercial_land_price": ("商住用地出让价格", "Commercial and residential land price"),
    "commercial_set_aside_share": ("配套用地中商住出让比例", "Share of set-aside land sold for housing and commerce"),
    # Rules from a year (store part).
    "burn_in": ("政策生效前的预热年数", "Years run before the rules act"),
    # Competition for investors (competition.py)
    "offer_step": ("失去份额时报价调整幅度", "Offer step after losing share"),
    "offer_retreat": ("获得份额时报价回撤幅度", "Offer retreat after gaining share"),
    "offer_max_subsidy": ("园区自设补贴最高比例", "Largest own subsidy a park offers"),
    "offer_max_rebate": ("税收返还企业最高比例", "Largest tax rebate a park offers"),
    "offer_rebate_years": ("税收返还年限", "Years a rebate runs"),
    "offer_max_effort": ("最高招商投入", "Largest attraction effort"),
    "effort_reference": ("招商投入参照值", "Reference attraction effort"),
    "beta_effort": ("招商投入的吸引力", "Utility of attraction effort"),
    "offer_budget_share": ("报价可占可支配资金比例", "Share of spendable money an offer may cost"),
    "rival_km": ("竞争园区距离", "Distance within which parks are rivals"),
    # --- cityfin: city governments' own budgets ---
    "city_spending_share": ("城市一般公共服务支出占地方税收比例", "Share of a city's local tax spent on general services"),
    "city_carryover_draw": ("城市结转资金年支用比例", "Share of a city's carried-over cash spent a year"),
}

INDICATORS = {
    "output": ("经济总量", "economic size"), "output_growth": ("增长速度", "growth"),
    "tax_per_mu": ("亩均税收", "tax per mu"), "intensity": ("投资强度", "investment intensity"),
    "leading_share": ("主导产业占比", "leading-industry share"), "hightech_share": ("高新技术占比", "high-tech share"),
    "employment": ("就业", "employment"), "pollution_per_output": ("单位产值污染", "pollution per output"),
    "chain_completeness": ("产业链完整度", "chain completeness"),
    "investment_attracted": ("招商引资额", "investment attracted"), "openness": ("区外投资占比", "openness"),
    "tfp": ("全要素生产率", "TFP"), "circular_share": ("循环经济占比", "circular-economy share"),
    "debt_per_mu": ("亩均平台债务", "platform debt per mu"),
}

# The units written in the policy's param() declarations, as the audience reads them.
UNITS = {
    "万元": ("万元", "万元"), "万元/mu": ("万元/亩", "万元 per mu"), "万元/year": ("万元/年", "万元 per year"),
    "万元/mu tax": ("万元/亩 税收", "万元 per mu of tax"), "mu": ("亩", "mu"),
    "mu per park per year": ("亩/园/年", "mu per park per year"),
    "share of yearly quota": ("占年度指标", "of yearly quota"), "share of quota cut": ("核减比例", "of quota cut"),
    "share": ("比例", "share"), "share of investment": ("占投资", "of investment"), "share of output": ("占产值", "of output"),
    "share of outside-park firms with a plan": ("占园外企业", "of outside-park firms"),
    "share of parks": ("占园区", "of parks"), "share of park output": ("占园区产值", "of park output"),
    "share of area": ("占面积", "of area"), "share of unbuilt area": ("占未建面积", "of unbuilt area"),
    "share of added area": ("占新增面积", "of added area"), "share of increment": ("占增量", "of increment"),
    "share of land income": ("占土地收入", "of land income"), "share of design capacity": ("占设计产能", "of design capacity"),
    "extra land share": ("附加用地比例", "extra land share"), "land share": ("用地比例", "land share"),
    "× base land price": ("× 基准地价", "× base land price"), "× E1 standard": ("× E1 标准", "× E1 standard"),
    "× land value per year": ("× 地价/年", "× land value per year"), "per year": ("每年", "per year"),
    "years": ("年", "years"), "consecutive years": ("连续年数", "consecutive years"), "phases": ("期", "phases"),
    "of 5": ("（共 5 条）", "of 5"), "industries": ("个产业", "industries"), "parks": ("个园区", "parks"),
    "blocks": ("个片区", "blocks"), "utility": ("效用", "utility"), "extra weight": ("附加权重", "extra weight"),
    "weight per unit percentile": ("每百分位权重", "weight per percentile"),
    "pollution units per mu": ("污染单位/亩", "pollution units per mu"),
    "utility per IO coefficient": ("效用/投入产出系数", "utility per IO coefficient"),
    "projects per leading firm per year": ("项目/龙头企业/年", "projects per leading firm per year"),
    "万元 per mu a year": ("万元/亩/年", "万元 per mu a year"),
    "share of the energy price": ("占能源价格", "of the energy price"),
    "share of the water price": ("占水价", "of the water price"),
    "points of the loan rate": ("贷款利率百分点", "points of the loan rate"),
    "tce per 万元 output": ("吨标煤/万元产值", "tce per 万元 output"),
    "classes up for an R&D-intensive firm": ("上调类别数", "classes up"),
    "classes down above energy_max": ("下调类别数", "classes down"),
    "share of the park's local tax": ("占园区地方税收", "of the park's local tax"),
    "share of the park's output": ("占园区产值", "of the park's output"),
    "share of the firm's tax": ("占企业税收", "of the firm's tax"),
    "share of the firm's tax to the passing park": ("占企业税收（归流出园区）", "of the firm's tax, to the passing park"),
}


def lang_of(value: str | None) -> str:
    """A supported language for a cookie or stored value (the default for anything else)."""
    return value if value in LANGS else DEFAULT


def current() -> str:
    """The language of the request being served (its cookie), or the default outside a request."""
    try:
        import flask
        return lang_of(flask.request.cookies.get(COOKIE)) if flask.has_request_context() else DEFAULT
    except ImportError:
        return DEFAULT


def pick(entry: tuple, lang: str) -> str:
    return entry[LANGS.index(lang_of(lang))]


def t(key: str, lang: str, **values) -> str:
    """Interface text ``key`` in ``lang``, formatted with ``values``."""
    text = pick(UI[key], lang)
    return text.format(**values) if values else text


def metric_name(column: str, lang: str) -> str:
    """Plain name of a series or headline metric (``total_x`` is the total of ``x`` over the run)."""
    base = column.removeprefix("total_")
    name = pick(METRICS[base][:2], lang) if base in METRICS else column
    return (pick(TOTAL_PREFIX, lang) + name) if column.startswith("total_") else name


def metric_unit(column: str, lang: str) -> tuple[float, str]:
    """(factor from stored value to shown value, unit label) of a metric."""
    base = column.removeprefix("total_")
    factor, zh, en = UNITS_SHOWN[METRICS[base][2]] if base in METRICS else (1.0, "", "")
    return factor, zh if lang_of(lang) == "zh" else en


def metric_label(column: str, lang: str) -> str:
    """Name with its unit, e.g. ``工业产值（亿元）``."""
    _, unit = metric_unit(column, lang)
    if not unit:
        return metric_name(column, lang)
    return f"{metric_name(column, lang)}（{unit}）" if lang_of(lang) == "zh" else f"{metric_name(column, lang)} ({unit})"


def explain(column: str, lang: str) -> str:
    """One or two sentences saying what a metric measures."""
    entry = METRICS[column.removeprefix("total_")]
    return entry[3] if lang_of(lang) == "zh" else entry[4]


def rule_name(rid: str, lang: str) -> str:
    return pick(RULES[rid], lang)


def family_name(letter: str, lang: str) -> str:
    return pick(FAMILIES[letter], lang)


def param_name(rid: str, name: str, lang: str) -> str:
    return pick(PARAMS[(rid, name)], lang) if (rid, name) in PARAMS else name


def factor_label(factor: str, lang: str) -> str:
    """A sweep factor as people read it: ``policy.E1.national`` → "E1 国家级园区投资强度门槛",
    ``world.margin_mean`` → "平均利润率"; anything else as it is."""
    parts = factor.split(".")
    if len(parts) == 3 and parts[0] == "policy":
        return f"{parts[1]} {param_name(parts[1], parts[2], lang)}"
    if len(parts) == 2 and parts[0] == "world":
        return pick(WORLD[parts[1]], lang) if parts[1] in WORLD else t("world.param", lang, name=parts[1])
    return factor


def indicator_name(key: str, lang: str) -> str:
    return pick(INDICATORS[key], lang) if key in INDICATORS else key


def unit_name(unit: str, lang: str) -> str:
    return pick(UNITS[unit], lang) if unit in UNITS else unit


def number(value, digits: int = 3) -> str:
    """A number as people write it: thousands separators, no scientific notation, about ``digits``
    significant digits (integers in full)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, (bool, str)):
        return str(value)
    v = float(value)
    if v == int(v) and abs(v) >= 1:
        return f"{int(v):,}"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(v)))) if v else 0
    return f"{v:,.{min(decimals, 6)}f}"


def percent(share) -> str:
    """A share (0.031) as a signed percentage ("+3.1%"); "–" where undefined."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return f"{100 * float(share):+.1f}%"


# ---- dash2 (issue 13: synthetic places on the map, per-park costs, choice and burn-in controls) ----------
UI.update({
    "map.cities": ("市（合成）", "cities (synthetic)"),
    "tab.costs": ("成本效益", "Costs"),
    "costs.park.title": ("各园区与城市的成本效益（{n} 次重复平均）",
                         "Cost-effectiveness by park and city (mean of {n} replications)"),
    "costs.park.sub": ("{label}；{years}", "{label}; {years}"),
    "costs.years": ("{first}–{last} 年（政策生效后）", "{first}–{last}, the years the rules act"),
    "costs.bar.job": ("每个新增就业的财政投入<br>（万元/人）", "Public money per job gained<br>(万元 per job)"),
    "costs.bar.balance": ("财政净收支现值<br>（亿元）", "Net fiscal balance, present value<br>(亿元)"),
    "costs.park.none": ("这次运行没有财政账户表（早于财政表入库的结果）：无法分园区计算成本效益。",
                        "This run has no finance table (saved before the accounts were stored): no per-park costs."),
    "costs.park.empty": ("没有政策生效后的年份：无法计算成本效益。", "No year after the rules start: no costs to show."),
    "costs.ab": ("各园区成本效益：A 与 B 并列", "Cost-effectiveness by park: A and B side by side"),
    "col.account": ("园区 / 城市", "park / city"),
    "col.kind": ("类别", "kind"),
    "kind.park": ("园区", "park"),
    "kind.city": ("城市", "city"),
    "settings": ("运行设置", "Run settings"),
    "glossary.settings": ("规则与运行设置", "Rule and run settings"),
})

CHOICE_NAMES = {
    ("C2", "mode", "gate"): ("入园门槛（未达标只准主导产业项目入园）",
                             "entry gate (below target: leading-industry projects only)"),
    ("C2", "mode", "target"): ("考核目标（不拒项目，未达标园区加大招商）",
                               "evaluated target (no project refused; parks below it court more)"),
    ("S4", "base", "previous_year"): ("环比（比上年增量）", "year on year (环比)"),
    ("S4", "base", "fixed"): ("固定基年", "fixed base year"),
}
"""Plain names of the choices of text parameters (radio buttons in the rule panel)."""

SETTING_HELP = {
    "C2.mode": ("主导产业占比要求的形式。入园门槛：园区主导产业占比低于目标时只接受主导产业项目（兰州 004 §(八)）。"
                "考核目标：不拒绝项目，占比低于目标的园区加大对主导产业项目的招商，"
                "考核时统计达标园区数（池州 001 三、河南 003 四(一)）。",
                "The form of the leading-industry share. Entry gate: while a park is below the target it admits only "
                "leading-industry projects (Lanzhou 004 §(八)). Evaluated target: no project is refused; parks below "
                "it court leading-industry projects and the evaluation counts parks at target "
                "(Chizhou 001 三, Henan 003 四(一))."),
    "burn_in": ("政策生效前的预热年数：模型先在没有文件政策（只保留园区设立规则 C1、C4、C5、C7）的情况下运行这些年，"
                "让企业和项目走完建设与投产，然后文件政策开始生效；合计、成本与收益只统计此后的年份。",
                "Years run before the rules act: the model first runs these years with the document's policy off "
                "(only the set-up rules C1, C4, C5, C7), so that firms and projects finish building and ramping up; "
                "then the policy starts, and totals, costs and gains count only the years after."),
    "S4.base": ("税收返还按什么增量计算：环比（比上一年的增量，文件原文）或固定基年（比政策开始那一年的增量）。",
                "What S4 returns the increase of: year on year (over the previous year, as the document says) or "
                "over a fixed base year (the rules' first year)."),
}
"""Glossary entries of the settings that are choices or run settings, by ``RULE.param`` or world name."""


def choice_name(rid: str, name: str, value: str, lang: str) -> str:
    """A text parameter's choice as people read it (the value itself if it has no plain name)."""
    return pick(CHOICE_NAMES[(rid, name, value)], lang) if (rid, name, value) in CHOICE_NAMES else str(value)


def world_label(name: str, lang: str) -> str:
    """A world parameter's plain name (its code name if the table has none)."""
    return pick(WORLD[name], lang) if name in WORLD else name


def setting_help(key: str, lang: str) -> str:
    """One or two sentences on a setting (:data:`SETTING_HELP`)."""
    return pick(SETTING_HELP[key], lang)

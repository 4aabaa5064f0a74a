// commsim classroom page. Hand-written, no libraries, nothing fetched but
// this server's own /api/*. The server simulates a run once (the library's
// run, the same as `commsim run` for that scenario, value and seed) and the
// page reveals its days one by one: Step shows exactly one more day.
"use strict";

const TEXT = {
  en: {
    title: "commsim classroom: how online groups grow and die",
    setup: "Set up the group", scenario: "Scenario",
    moderation: "Moderation: advertisers are removed",
    seed: "Seed (same seed, same group)",
    run: "Run", step: "Step one day", pause: "Pause", reset: "Reset",
    speed: "Speed (days per second)", instant: "instant",
    batch: "Run 20 groups (Monte Carlo)", explain: "Why did it die?",
    group: "The group", day: "Day", of: "of",
    charts: "Lifecycle", causes: "Who left, and why", story: "The story",
    story_hint: "Press “Why did it die?” after a run.",
    members: "members", active: "active", silent: "silent", muted: "muted", left: "left",
    peak: "peak", lifetime: "lifetime", days: "days", alive: "still alive",
    members_axis: "Members", active_axis: "Active members (spoke today)",
    scenario_value: "scenario", none: "none", off: "off (none)",
    lesson: "lesson", event: "meetup", reward: "reward", push: "sales push",
    band: "20 groups: middle 50% and 90%", median: "median of 20", this_group: "this group: solid lines",
    loading: "Simulating…", thinking: "Running 20 groups and their counterfactuals…",
    shown: "Showing the first {n} of {m} people who joined.",
    lever_on: "Rerun with the lever: {l}",
    try_lever: "What would have saved it? Rerun with one change:",
    lever_gain: "{g} days",
    in_batch: "In 20 groups:",
    story_lang: "",
    sl_half_life: "Novelty half-life", un_half_life: "days",
    sl_lesson_every: "A lesson every", un_lesson_every: "days",
    sl_lesson_quality: "Lesson quality", un_lesson_quality: "(0 poor – 1 excellent)",
    sl_invite_rate: "Members invite friends", un_invite_rate: "% chance a day",
    sl_fee: "Membership fee", un_fee: "yuan",
    sl_meetup: "Offline meetup size", un_meetup: "people",
    sl_launch: "Launch members", un_launch: "people",
    sl_days: "Days to simulate", un_days: "days",
    c_boredom: "bored (too little value)", c_unmet_need: "needs not met", c_lost_trust: "lost trust",
    c_annoyance: "annoyed (ads, overload)", c_friends: "friends left", c_fee_not_renewed: "did not renew",
    c_removed: "removed by moderators",
  },
  zh: {
    title: "commsim 课堂：线上社群如何成长与消亡",
    setup: "设置社群", scenario: "场景",
    moderation: "群管理：移除发广告的人",
    seed: "随机种子（种子相同，社群相同）",
    run: "运行", step: "前进一天", pause: "暂停", reset: "重置",
    speed: "速度（每秒天数）", instant: "立即",
    batch: "运行 20 个社群（蒙特卡洛）", explain: "它为什么死了？",
    group: "社群", day: "第", of: "天，共",
    charts: "生命周期", causes: "谁离开了，为什么", story: "故事",
    story_hint: "运行后按“它为什么死了？”。",
    members: "成员", active: "活跃", silent: "沉默", muted: "屏蔽", left: "已离开",
    peak: "峰值", lifetime: "寿命", days: "天", alive: "仍然活着",
    members_axis: "成员数", active_axis: "活跃成员（今天发言）",
    scenario_value: "场景值", none: "无", off: "关（没有）",
    lesson: "课程", event: "线下聚会", reward: "奖励", push: "促销",
    band: "20 个社群：中间 50% 和 90%", median: "20 个的中位数", this_group: "这个社群：实线",
    loading: "模拟中…", thinking: "正在运行 20 个社群及其反事实…",
    shown: "显示最先加入的 {m} 人中的 {n} 人。",
    lever_on: "用这个杠杆重新运行：{l}",
    try_lever: "怎样才能救活它？只改一处重新运行：",
    lever_gain: "{g} 天",
    in_batch: "20 个社群中：",
    story_lang: "（故事由 commsim explain 生成，目前只有英文。）",
    sl_half_life: "新鲜感半衰期", un_half_life: "天",
    sl_lesson_every: "每隔几天一节课", un_lesson_every: "天",
    sl_lesson_quality: "课程质量", un_lesson_quality: "（0 差 – 1 极好）",
    sl_invite_rate: "成员邀请朋友", un_invite_rate: "% 每天的概率",
    sl_fee: "入群费", un_fee: "元",
    sl_meetup: "线下聚会人数", un_meetup: "人",
    sl_launch: "首批成员", un_launch: "人",
    sl_days: "模拟天数", un_days: "天",
    c_boredom: "厌倦（新鲜感消退）", c_unmet_need: "需求未满足", c_lost_trust: "失去信任",
    c_annoyance: "被打扰（广告、刷屏）", c_friends: "朋友走了", c_fee_not_renewed: "没有续费",
    c_removed: "被管理员移除",
  },
};

const COLOUR = {
  a: "#0072B2", s: "#E69F00", m: "#CC79A7", x: "#999999",
  lesson: "#56B4E9", event: "#D55E00", reward: "#F0E442", push: "#000000",
  boredom: "#E69F00", unmet_need: "#56B4E9", lost_trust: "#D55E00", annoyance: "#CC79A7",
  friends: "#009E73", fee_not_renewed: "#0072B2", removed: "#000000",
};
const SVGNS = "http://www.w3.org/2000/svg";

const state = {
  lang: "en", list: [], current: null, data: null, day: 0, timer: null,
  dirty: true, moved: {}, lever: null, story: null, busy: false,
};

const $ = (id) => document.getElementById(id);
function t(key) { return (TEXT[state.lang][key] ?? TEXT.en[key] ?? key); }
function fill(s, vars) { return s.replace(/\{(\w+)\}/g, (_, k) => vars[k]); }
function el(name, attrs, parent) {
  const e = document.createElementNS(SVGNS, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}
function text(parent, x, y, s, attrs) {
  const e = el("text", Object.assign({ x, y }, attrs || {}), parent);
  e.textContent = s;
  return e;
}
function status(msg, error) {
  $("status").textContent = msg || "";
  $("status").className = error ? "error" : "";
}

async function api(path, body) {
  const res = await fetch(path, body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(json.error || res.statusText);
  return json;
}

// ---- sliders -------------------------------------------------------------

function isOff(id, v) { return v === 0 && (id === "fee" || id === "meetup"); }
function display(id, v) {
  if (isOff(id, v)) return t("off");
  if (id === "invite_rate") return (v * 100).toFixed(1);
  if (id === "lesson_quality") return v.toFixed(2);
  return String(Math.round(v * 100) / 100);
}
function withUnit(id, v) { return isOff(id, v) ? t("off") : display(id, v) + " " + t("un_" + id); }

function buildSliders() {
  const box = $("sliders");
  box.textContent = "";
  for (const s of state.current.sliders) {
    const div = document.createElement("div");
    div.className = "slider";
    const top = document.createElement("div");
    top.className = "top";
    const label = document.createElement("label");
    label.htmlFor = "sl-" + s.id;
    label.dataset.i18n = "sl_" + s.id;
    const out = document.createElement("output");
    out.id = "out-" + s.id;
    top.append(label, out);
    const input = document.createElement("input");
    input.type = "range";
    input.id = "sl-" + s.id;
    input.dataset.slider = s.id;
    input.min = s.min; input.max = s.max; input.step = s.step;
    const start = s.value ?? s.off ?? s.min;
    input.value = start;
    const list = document.createElement("datalist");
    list.id = "dl-" + s.id;
    const opt = document.createElement("option");
    opt.value = start;
    list.append(opt);
    input.setAttribute("list", list.id);
    const mark = document.createElement("div");
    mark.className = "mark";
    mark.dataset.value = s.value === null ? "" : String(s.value);
    mark.id = "mark-" + s.id;
    input.addEventListener("input", () => {
      state.moved[s.id] = Number(input.value);
      changed();
      showSlider(s);
    });
    div.append(top, input, list, mark);
    box.append(div);
    showSlider(s);
  }
  $("moderation").checked = state.current.moderation;
  $("seed").value = state.current.seed;
}

function showSlider(s) {
  const input = $("sl-" + s.id);
  $("out-" + s.id).textContent = withUnit(s.id, Number(input.value));
  $("mark-" + s.id).textContent = "▲ " + t("scenario_value") + ": " +
    (s.value === null ? t("none") : withUnit(s.id, s.value));
}

function changed() {
  state.dirty = true;
  state.lever = null;
}

function request(extra) {
  const body = {
    scenario: state.current.file,
    values: Object.assign({}, state.moved),
    moderation: $("moderation").checked,
    seed: Number($("seed").value),
  };
  if (state.lever) body.lever = state.lever;
  return Object.assign(body, extra || {});
}

// ---- running ---------------------------------------------------------------

async function load(extra) {
  pause();
  state.busy = true;
  status(t("loading"));
  try {
    const data = await api("/api/run", request(extra));
    state.data = data;
    state.dirty = false;
    state.day = 0;
    prepareGraph();
    render();
    status(state.lever ? fill(t("lever_on"), { l: state.lever }) : "");
    return true;
  } catch (e) {
    status(e.message, true);
    return false;
  } finally {
    state.busy = false;
  }
}

function lastDay() { return state.data ? state.data.rows.members.length - 1 : 0; }

function pause() {
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
}

function play() {
  pause();
  if (state.day >= lastDay()) state.day = 0;
  const speed = Number($("speed").value);
  if (speed >= 1000) { state.day = lastDay(); render(); return; }
  state.timer = setInterval(() => {
    if (state.day >= lastDay()) { pause(); return; }
    state.day += 1;
    render();
  }, 1000 / speed);
}

async function onRun() {
  if (state.busy) return;
  if (state.dirty || !state.data) { if (!(await load())) return; }
  play();
}

async function onStep() {
  if (state.busy) return;
  pause();
  if (state.dirty || !state.data) { await load(); return; }
  if (state.day < lastDay()) { state.day += 1; render(); }
}

async function onReset() {
  if (state.busy) return;
  pause();
  state.lever = null;
  await load();
}

async function onBatch() {
  if (state.busy) return;
  if (await load({ runs: 20 })) { state.day = lastDay(); render(); }
}

async function onExplain() {
  if (state.busy) return;
  state.busy = true;
  status(t("thinking"));
  try {
    const e = await api("/api/explain", request({ runs: 20, lever: undefined }));
    state.story = e;
    renderStory();
    status("");
  } catch (err) {
    status(err.message, true);
  } finally {
    state.busy = false;
  }
}

async function onLever(label) {
  state.lever = label;
  if (await load()) play();
}

// ---- drawing ---------------------------------------------------------------

let dots = [], links = [], friends = [], leftDay = [];

function prepareGraph() {
  const svg = $("graph");
  svg.textContent = "";
  const d = state.data;
  const n = d.people.length;
  const r = Math.max(2, Math.min(8, 220 / Math.sqrt(Math.max(n, 1))));
  const px = (p) => 20 + p.x * 560, py = (p) => 20 + p.y * 560;
  const gF = el("g", { stroke: "#d0d0d0", "stroke-width": 1 }, svg);
  const gL = el("g", { stroke: "#555555", "stroke-width": 1.5 }, svg);
  const gD = el("g", { stroke: "#000000", "stroke-width": 0.6 }, svg);
  friends = d.friend_edges.map(([i, j]) => {
    const a = d.people[i], b = d.people[j];
    return [i, j, el("line", { x1: px(a), y1: py(a), x2: px(b), y2: py(b), visibility: "hidden" }, gF)];
  });
  links = [];
  dots = d.people.map((p, i) => {
    if (p.via !== null) {
      const a = d.people[p.via];
      links.push([i, el("line", { x1: px(a), y1: py(a), x2: px(p), y2: py(p), visibility: "hidden" }, gL)]);
    }
    return el("circle", { cx: px(p), cy: py(p), r, visibility: "hidden" }, gD);
  });
  leftDay = d.people.map(() => null);
  d.states.forEach((s, day) => {
    for (let i = 0; i < s.length; i++) if (s[i] === "x" && leftDay[i] === null) leftDay[i] = day;
  });
  if (d.people_total > n) {
    text(svg, 300, 595, fill(t("shown"), { n, m: d.people_total }), { "text-anchor": "middle", "font-size": 14 });
  }
}

function renderGraph() {
  const d = state.data, day = state.day, s = d.states[day];
  dots.forEach((c, i) => {
    const code = s[i];
    if (code === "-") { c.setAttribute("visibility", "hidden"); return; }
    c.setAttribute("visibility", "visible");
    c.setAttribute("fill", COLOUR[code]);
    const fade = code === "x" ? Math.max(0.12, 1 - (day - leftDay[i]) / 6) : 1;
    c.setAttribute("opacity", fade);
  });
  for (const [i, line] of links) {
    const code = s[i];
    const joinedToday = d.people[i].joined === day && day > 0;
    line.setAttribute("visibility", code === "-" ? "hidden" : "visible");
    line.setAttribute("stroke", joinedToday ? "#0072B2" : "#555555");
    line.setAttribute("stroke-width", joinedToday ? 3 : 1.2);
    line.setAttribute("opacity", code === "x" ? 0.2 : 1);
  }
  for (const [i, j, line] of friends) {
    const on = "asm".includes(s[i]) && "asm".includes(s[j]);
    line.setAttribute("visibility", on ? "visible" : "hidden");
  }
}

// A round step giving at most `most` steps up to v, and the axis top.
function niceAxis(v, most) {
  v = Math.max(v, 1);
  for (let p = 1; ; p *= 10) {
    for (const m of [1, 2, 5]) {
      const step = m * p;
      const n = Math.ceil(v / step);
      if (n <= most) return { step, top: Math.max(n, 1) * step };
    }
  }
}

function panel(svg, y0, h, maxV, days, label, x0, w) {
  const { step, top } = niceAxis(maxV, 5);
  el("rect", { x: x0, y: y0, width: w, height: h, fill: "none", stroke: "#000000" }, svg);
  for (let v = 0; v <= top; v += step) {
    const k = v / step, y = y0 + h - (h * v) / top;
    el("line", { x1: x0 - 5, y1: y, x2: x0 + w, y2: y, stroke: k ? "#e0e0e0" : "#000000" }, svg);
    text(svg, x0 - 8, y + 5, String(Math.round(v)), { "text-anchor": "end", "font-size": 14 });
  }
  text(svg, x0 + 4, y0 - 6, label, { "font-size": 15, "font-weight": "bold" });
  return (v) => y0 + h - (h * v) / top;
}

function polyline(svg, pts, attrs) {
  return el("polyline", Object.assign({ points: pts.map((p) => p.join(",")).join(" "), fill: "none" }, attrs), svg);
}

function renderLifecycle() {
  const svg = $("lifecycle");
  svg.textContent = "";
  const d = state.data, day = state.day, D = lastDay();
  const x0 = 60, w = 560;
  const X = (i) => x0 + (w * i) / Math.max(D, 1);
  const bands = d.bands || null;
  const maxOf = (key) => Math.max(1, ...d.rows[key], ...(bands ? bands[key].map((b) => b[4]) : []));
  const yM = panel(svg, 30, 190, maxOf("members"), D, t("members_axis"), x0, w);
  const yA = panel(svg, 260, 120, maxOf("active"), D, t("active_axis"), x0, w);
  // Strategy days: thin ticks under each panel and faint lines across it.
  for (const m of d.marks) {
    const x = X(m.day);
    for (const [y0, h] of [[30, 190], [260, 120]]) {
      el("line", { x1: x, y1: y0, x2: x, y2: y0 + h, stroke: COLOUR[m.kind], "stroke-opacity": 0.35 }, svg);
      el("rect", { x: x - 1.5, y: y0 + h - 8, width: 3, height: 8, fill: COLOUR[m.kind], stroke: "#000000", "stroke-width": 0.3, class: "mark-" + m.kind }, svg);
    }
  }
  const dayStep = niceAxis(D, 8).step;
  for (let dd = 0; dd <= D; dd += dayStep) {
    el("line", { x1: X(dd), y1: 380, x2: X(dd), y2: 385, stroke: "#000000" }, svg);
    text(svg, X(dd), 400, String(dd), { "text-anchor": "middle", "font-size": 14 });
  }
  text(svg, x0 + w / 2, 418, t("days"), { "text-anchor": "middle", "font-size": 14 });
  if (bands) {
    for (const [key, y] of [["members", yM], ["active", yA]]) {
      const b = bands[key];
      const area = (lo, hi) => b.map((q, i) => [X(i), y(q[hi])]).concat(b.map((q, i) => [X(i), y(q[lo])]).reverse());
      el("polygon", { points: area(0, 4).map((p) => p.join(",")).join(" "), fill: "#0072B2", "fill-opacity": 0.15 }, svg);
      el("polygon", { points: area(1, 3).map((p) => p.join(",")).join(" "), fill: "#0072B2", "fill-opacity": 0.25 }, svg);
      polyline(svg, b.map((q, i) => [X(i), y(q[2])]), { stroke: "#0072B2", "stroke-dasharray": "6 4", "stroke-width": 1.5 });
    }
  }
  const upto = (key, y) => d.rows[key].slice(0, day + 1).map((v, i) => [X(i), y(v)]);
  polyline(svg, upto("members", yM), { stroke: "#000000", "stroke-width": 3, class: "members-line" });
  polyline(svg, upto("active", yA), { stroke: COLOUR.a, "stroke-width": 3, class: "active-line" });
  const m = d.rows.members[day], a = d.rows.active[day];
  const nm = text(svg, Math.min(X(day) + 6, 600), yM(m) - 6, String(m), { "font-size": 16, "font-weight": "bold", class: "now-members" });
  nm.dataset.day = day;
  text(svg, Math.min(X(day) + 6, 600), yA(a) - 6, String(a), { "font-size": 16, "font-weight": "bold", fill: COLOUR.a, class: "now-active" });
  svg.dataset.day = day;
  svg.dataset.members = m;
  // Legend of marks.
  const kinds = [...new Set(d.marks.map((k) => k.kind))];
  const lg = $("marks-legend");
  lg.textContent = "";
  lg.append(key("#000000", t("this_group")));
  for (const k of kinds) lg.append(key(COLOUR[k], t(k)));
  if (bands) {
    lg.append(key("#9cc3e0", t("band")));
    lg.append(key("#0072B2", t("median") + " (- - -)"));
  }
}

function key(colour, label) {
  const span = document.createElement("span");
  span.className = "key";
  const sw = document.createElement("span");
  sw.className = "sw";
  sw.style.background = colour;
  span.append(sw, label);
  return span;
}

function renderCauses() {
  const svg = $("causes");
  svg.textContent = "";
  const d = state.data, day = state.day;
  const names = d.left_by_cause.map((c) => c[0]);
  const totals = d.left_by_cause.map((c) => c[1].slice(0, day + 1).reduce((s, v) => s + v, 0));
  const top = niceAxis(Math.max(1, ...totals), 5).top;
  names.forEach((c, k) => {
    const y = 8 + k * 31;
    text(svg, 250, y + 19, t("c_" + c), { "text-anchor": "end", "font-size": 15 });
    el("rect", { x: 258, y, width: (330 * totals[k]) / top, height: 24, fill: COLOUR[c], stroke: "#000000", "stroke-width": 0.5 }, svg);
    text(svg, 264 + (330 * totals[k]) / top, y + 19, String(totals[k]), { "font-size": 15, class: "cause-" + c });
  });
  if (d.batch_left_by_cause && day === lastDay()) {
    const all = d.batch_left_by_cause.reduce((s, c) => s + c[1], 0) || 1;
    const parts = d.batch_left_by_cause.filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1]).slice(0, 3)
      .map(([c, v]) => t("c_" + c) + " " + Math.round((100 * v) / all) + "%");
    text(svg, 10, 244, t("in_batch") + " " + parts.join(", "), { "font-size": 14 });
  }
}

function renderNumbers() {
  const d = state.data, day = state.day, r = d.rows;
  const box = $("numbers");
  box.textContent = "";
  const item = (label, v, colour) => {
    const s = document.createElement("span");
    const b = document.createElement("b");
    b.textContent = v;
    if (colour) b.style.color = colour;
    s.append(b, " " + label);
    box.append(s);
  };
  item(t("members"), r.members[day]);
  item(t("active"), r.active[day], COLOUR.a);
  item(t("silent"), r.silent[day], "#8a5d00");
  item(t("muted"), r.muted[day], "#8e3f73");
  item(t("left"), r.left.slice(0, day + 1).reduce((s, v) => s + v, 0), "#555555");
  if (day === lastDay()) {
    const s = d.summary;
    item(t("peak"), s.peak_members);
    item(t("lifetime"), s.lifetime_days + " " + t("days") + (s.alive_at_end ? " (" + t("alive") + ")" : ""));
  }
  $("day").textContent = state.lang === "zh"
    ? t("day") + " " + day + " " + t("of") + " " + lastDay() + " 天"
    : t("day") + " " + day + " " + t("of") + " " + lastDay();
  $("day").dataset.day = day;
}

function renderLegend() {
  const lg = $("legend");
  lg.textContent = "";
  for (const [c, k] of [["a", "active"], ["s", "silent"], ["m", "muted"], ["x", "left"]]) lg.append(key(COLOUR[c], t(k)));
}

function renderStory() {
  const e = state.story;
  if (!e) return;
  $("story").textContent = e.story + (t("story_lang") ? " " + t("story_lang") : "");
  const box = $("levers");
  box.textContent = "";
  if (!e.levers.length) return;
  const p = document.createElement("p");
  p.textContent = t("try_lever");
  p.style.width = "100%";
  box.append(p);
  for (const l of e.levers) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "lever";
    b.dataset.lever = l.label;
    const g = (l.lifetime_gain >= 0 ? "+" : "") + l.lifetime_gain.toFixed(1);
    b.textContent = l.label + " (" + fill(t("lever_gain"), { g }) + ")";
    b.addEventListener("click", () => onLever(l.label));
    box.append(b);
  }
}

function render() {
  if (!state.data) return;
  renderGraph();
  renderLifecycle();
  renderCauses();
  renderNumbers();
}

function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  for (const e of document.querySelectorAll("[data-i18n]")) {
    if (e.dataset.i18n === "story_hint" && state.story) continue;
    e.textContent = t(e.dataset.i18n);
  }
  $("lang").textContent = state.lang === "zh" ? "English (L)" : "中文 (L)";
  if (state.current) for (const s of state.current.sliders) showSlider(s);
  renderLegend();
  if (state.data) { prepareGraph(); render(); }
  renderStory();
}

function chooseScenario(file) {
  state.current = state.list.find((s) => s.file === file);
  state.moved = {};
  state.lever = null;
  state.story = null;
  $("story").textContent = t("story_hint");
  $("levers").textContent = "";
  $("description").textContent = state.current.description;
  $("description").title = state.current.title;
  buildSliders();
  applyLanguage();
  changed();
  return load();
}

async function init() {
  try {
    const v = await api("/api/scenarios");
    state.list = v.scenarios;
  } catch (e) {
    status(e.message, true);
    return;
  }
  const sel = $("scenario");
  for (const s of state.list) {
    const o = document.createElement("option");
    o.value = s.file;
    o.textContent = s.name;
    sel.append(o);
  }
  sel.addEventListener("change", () => chooseScenario(sel.value));
  $("moderation").addEventListener("change", changed);
  $("seed").addEventListener("change", changed);
  $("run").addEventListener("click", onRun);
  $("step").addEventListener("click", onStep);
  $("pause").addEventListener("click", pause);
  $("reset").addEventListener("click", onReset);
  $("batch").addEventListener("click", onBatch);
  $("explain").addEventListener("click", onExplain);
  $("speed").addEventListener("change", () => { if (state.timer) play(); });
  $("lang").addEventListener("click", () => { state.lang = state.lang === "en" ? "zh" : "en"; applyLanguage(); });
  document.addEventListener("keydown", (e) => {
    const tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || e.ctrlKey || e.metaKey || e.altKey) return;
    // Space and Enter on a focused button press that button.
    if (tag === "button" && (e.key === " " || e.key === "Enter")) return;
    const k = e.key.toLowerCase();
    if (k === "r") onRun();
    else if (k === "s") onStep();
    else if (k === "p" || k === " ") { e.preventDefault(); state.timer ? pause() : onRun(); }
    else if (k === "0") onReset();
    else if (k === "b") onBatch();
    else if (k === "e") onExplain();
    else if (k === "l") $("lang").click();
  });
  await chooseScenario(state.list[0].file);
  document.body.dataset.ready = "1";
}

init();

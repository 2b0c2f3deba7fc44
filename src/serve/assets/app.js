// zhsearch's browsing page: a search box, a facet sidebar, results with
// highlighted passages, pagination and a document view, over the JSON API.
//
// All state lives in the URL, so any view can be bookmarked and shared, and
// back/forward work:
//   /?q=党建&region=/广东省/佛山市&topic=党建&since=2023&until=2023&sort=date&page=2&doc=ID
// Every link is a real link; plain clicks are handled here without a reload.
//
// The facets are the server's table (GET /api/facet-specs, read once at
// start): each gives a sidebar section, its chips and its URL parameter, so
// a new facet needs nothing here.
//
// Article text never becomes markup: strings go into the DOM as text nodes
// (textContent, append(string)), and highlights are <mark> elements built
// with createElement from the API's [start, end) character offsets.
'use strict';

(function () {
  const PAGE_SIZE = 10;
  const MAX_OFFSET = 10000;
  const TREE_CHILDREN = 12;
  // Fewer results than this on a first page ask the server for a spelling.
  const SUGGEST_BELOW = 10;

  const $ = (id) => document.getElementById(id);

  // The facets of /api/facet-specs, in order; FILTERS those with a
  // repeatable parameter (`filter: 'values'`).
  let FACETS = [];
  let FILTERS = [];

  // An element with attributes (or `text`, or `class`) and children; string
  // children become text nodes.
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'text') node.textContent = value;
      else if (key === 'class') node.className = value;
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  // ---- words ------------------------------------------------------------------

  // Every text the page shows, in Chinese and in English (when the browser
  // prefers English). The API's own messages stay in English and are never
  // shown as they are: errors are told by their kind.
  const LANG = /^en\b/i.test((navigator.languages && navigator.languages[0]) || navigator.language || '') ? 'en' : 'zh';
  const TEXTS = {
    zh: {
      search: '搜索', sortLabel: '排序', relevance: '按相关度', newest: '按日期', oldest: '从旧到新',
      placeholder: '输入关键词，如 党建引领 高质量发展', filters: '筛选', skip: '跳到搜索结果',
      results: '搜索结果', pages: '分页', current: '当前筛选', api: 'API',
      removeFilter: '取消这个筛选', without: (x) => '排除' + x, date: '日期', to: ' 至 ', clearAll: '清除全部',
      nothing: '没有找到匹配的文章', didYouMean: '您是不是要找：', tryFewer: '，可以试试取消筛选',
      relaxedNone: (w) => '；没有文章包含全部词语（' + w + '），以下为包含其中部分词语的文章',
      relaxedFew: (n, w) => '；只有 ' + n + ' 篇包含全部词语（' + w + '），其后为包含部分词语的文章',
      reworded: (q) => '；也包括标题中把“' + q + '”的某个词换成近义词或共用一字的词的文章',
      missing: (w) => '缺少：' + w,
      words: (n) => n + ' 个词',
      similar: (n) => '+' + n + ' 篇相似',
      found: (n) => ['找到 ', h('b', { text: String(n) }), ' 篇'],
      all: (n) => ['全部 ', h('b', { text: String(n) }), ' 篇'],
      range: (a, b) => '，第 ' + a + '–' + b + ' 篇', byDate: '（按日期）',
      undatedOut: (n) => '；另有 ' + n + ' 篇没有日期，未计入',
      loading: '正在搜索…', took: (ms) => '（用时 ' + ms + ' 毫秒）',
      prev: '上一页', next: '下一页', none: '无', noMatch: '没有匹配的值',
      chartLabel: (a, b, n, list) => a + '至' + b + '的匹配文章共 ' + n + ' 篇：' + list,
      chartHint: '点击或拖动以选择日期', since: '起', until: '止', apply: '应用',
      more: (n) => '展开其余 ' + n + ' 项', expand: (x) => '展开' + x, collapse: (x) => '收起' + x,
      filterValues: (x) => '筛选' + x + '…', unknown: (x) => '（未知' + x + '）', undated: '（无日期）',
      year: (y) => y + '年', month: (m) => m + '月',
      ymd: (y, m, d) => y + '年' + (m ? m + '月' : '') + (m && d ? d + '日' : ''),
      source: '来源', region: '地区', topic: '主题', keywords: '关键词', original: '原文', file: '文件',
      listSep: '、', back: '← 返回结果',
      badQuery: '查询有误：', badQueryHelp: '请检查括号、引号和 OR 的写法。',
      badParam: '参数有误：', badParamHelp: (p) => '地址中的 ' + p + ' 无法识别，请重新筛选。',
      notFound: '找不到：', notFoundHelp: '这篇文章不在索引中（可能已被删除或重建）。',
      busy: '服务器繁忙：', busyHelp: '请稍等片刻再试。',
      timeout: '搜索超时：', timeoutHelp: '请换用更具体的关键词，或加上筛选条件。',
      broken: '出错了：', brokenHelp: '服务器无法读取索引，请联系管理员。',
      offline: '无法连接服务器：', offlineHelp: '请检查网络或服务器是否在运行。',
      details: '详细信息',
    },
    en: {
      search: 'Search', sortLabel: 'Sort', relevance: 'Best match', newest: 'Newest first', oldest: 'Oldest first',
      placeholder: 'Words to search for, e.g. 党建引领 高质量发展', filters: 'Filters', skip: 'Skip to results',
      results: 'Results', pages: 'Pages', current: 'Current filters', api: 'API',
      removeFilter: 'Remove this filter', without: (x) => 'Leave out ' + x, date: 'Date', to: ' to ', clearAll: 'Clear all',
      nothing: 'No matching articles', didYouMean: 'Did you mean: ', tryFewer: '; try removing a filter',
      relaxedNone: (w) => '; no article has all of ' + w + ', showing those with some of them',
      relaxedFew: (n, w) => '; only ' + n + ' have all of ' + w + ', then those with some of them',
      reworded: (q) => '; also titles with ' + q + ' in other words (one word a near-synonym or a cognate)',
      missing: (w) => 'without ' + w,
      words: (n) => n + ' words',
      similar: (n) => '+' + n + ' similar',
      found: (n) => ['Found ', h('b', { text: String(n) }), ' articles'],
      all: (n) => ['All ', h('b', { text: String(n) }), ' articles'],
      range: (a, b) => ', ' + a + '–' + b, byDate: ' (by date)',
      undatedOut: (n) => '; ' + n + ' more have no date and are left out',
      loading: 'Searching…', took: (ms) => ' (' + ms + ' ms)',
      prev: 'Previous', next: 'Next', none: 'None', noMatch: 'No matching values',
      chartLabel: (a, b, n, list) => 'Matching articles from ' + a + ' to ' + b + ', ' + n + ' in all: ' + list,
      chartHint: 'click or drag to choose dates', since: 'From', until: 'To', apply: 'Apply',
      more: (n) => 'Show ' + n + ' more', expand: (x) => 'Expand ' + x, collapse: (x) => 'Collapse ' + x,
      filterValues: (x) => 'Filter ' + x.toLowerCase() + '…', unknown: (x) => '(no ' + x.toLowerCase() + ')', undated: '(no date)',
      year: (y) => String(y), month: (m) => ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][m - 1] || String(m),
      ymd: (y, m, d) => [y, m, d].filter(Boolean).map((x, i) => (i ? String(x).padStart(2, '0') : String(x))).join('-'),
      source: 'Source', region: 'Region', topic: 'Topic', keywords: 'Keywords', original: 'Original', file: 'File',
      listSep: ', ', back: '← Back to results',
      badQuery: 'The query has an error: ', badQueryHelp: 'check the brackets, quotes and OR.',
      badParam: 'A bad parameter: ', badParamHelp: (p) => p + ' in the address cannot be read; filter again.',
      notFound: 'Not found: ', notFoundHelp: 'this article is not in the index (deleted or rebuilt).',
      busy: 'The server is busy: ', busyHelp: 'try again in a moment.',
      timeout: 'The search took too long: ', timeoutHelp: 'try more specific words, or filters.',
      broken: 'Something went wrong: ', brokenHelp: 'the server cannot read its index; tell its administrator.',
      offline: 'Cannot reach the server: ', offlineHelp: 'check the network, or whether the server runs.',
      details: 'Details',
    },
  };

  // The text `key`, called with `args` when it is a function.
  function t(key, ...args) {
    const text = TEXTS[LANG][key];
    return typeof text === 'function' ? text(...args) : text;
  }

  // A facet's heading.
  function label(f) {
    return LANG === 'en' ? f.label_en : f.label;
  }

  // The page's own texts (in index.html, in Chinese) in the reader's language.
  function translatePage() {
    document.documentElement.lang = LANG === 'en' ? 'en' : 'zh-CN';
    for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
    for (const e of document.querySelectorAll('[data-t-label]')) e.setAttribute('aria-label', t(e.dataset.tLabel));
    $('q').placeholder = t('placeholder');
  }

  // ---- state <-> URL ------------------------------------------------------

  function readState(search) {
    const p = new URLSearchParams(search === undefined ? location.search : search);
    const page = parseInt(p.get('page') || '1', 10);
    const values = {};
    for (const f of FILTERS) values[f.param] = p.getAll(f.param).filter(Boolean);
    // Values left out: `not=region:/贵州省` (sent as `-region:"/贵州省"` in the query).
    const not = p.getAll('not').filter((v) => FILTERS.some((f) => v.startsWith(f.param + ':')));
    return {
      q: (p.get('q') || '').trim(),
      values,
      not,
      since: p.get('since') || '',
      until: p.get('until') || '',
      sort: ['date', 'oldest'].includes(p.get('sort')) ? p.get('sort') : 'relevance',
      page: Number.isFinite(page) && page > 0 ? page : 1,
      doc: p.get('doc') || '',
    };
  }

  // The order of the results: without a query, by date (relevance means
  // nothing when every article matches alike).
  function browseSort(s) {
    return s.q || s.sort !== 'relevance' ? s.sort : 'date';
  }

  function pageUrl(s) {
    const p = new URLSearchParams();
    if (s.q) p.set('q', s.q);
    appendValues(p, s);
    for (const v of s.not) p.append('not', v);
    if (s.since) p.set('since', s.since);
    if (s.until) p.set('until', s.until);
    if (s.sort !== 'relevance') p.set('sort', s.sort);
    if (s.page > 1) p.set('page', String(s.page));
    if (s.doc) p.set('doc', s.doc);
    const qs = p.toString();
    return '/' + (qs ? '?' + qs : '');
  }

  // The current state with `changes`, back on the first page of results.
  function changed(s, changes) {
    return Object.assign({}, s, { page: 1, doc: '' }, changes);
  }

  function toggled(list, value) {
    return list.includes(value) ? list.filter((v) => v !== value) : list.concat([value]);
  }

  // The filter values of `s` as URL parameters, in the table's order.
  function appendValues(p, s) {
    for (const f of FILTERS) for (const v of s.values[f.param] || []) p.append(f.param, v);
  }

  // The values of `s` with those of `param` replaced by `list`.
  function withValues(s, param, list) {
    return { values: Object.assign({}, s.values, { [param]: list }) };
  }

  function anyFilter(s) {
    return FILTERS.some((f) => (s.values[f.param] || []).length) || Boolean(s.since || s.until || s.not.length);
  }

  function noFilters() {
    const values = {};
    for (const f of FILTERS) values[f.param] = [];
    return { values, since: '', until: '', not: [] };
  }

  // A value left out (`region:/贵州省`) as the query's exclusion.
  function notQuery(v) {
    const at = v.indexOf(':');
    return '-' + v.slice(0, at) + ':"' + v.slice(at + 1).replace(/"/g, '') + '"';
  }

  // What a value of facet `f` filters by: a tree's whole path, else its name.
  function facetValue(f, node) {
    return f.kind === 'tree' ? node.path : node.name;
  }

  // How a filter value of facet `f` reads in a chip.
  function valueName(f, value) {
    return f.kind === 'tree' ? regionName(value) : value;
  }

  // Where focus goes after the next render: an element's `data-key`, or
  // null for the usual place (see placeFocus).
  let focusKey = null;

  function navigate(url, key) {
    const opening = new URLSearchParams(url.split('?')[1] || '').get('doc');
    // Opening an article from the results: Escape may go back to them.
    history.pushState(opening && !readState().doc ? { results: location.href } : null, '', url);
    focusKey = key || null;
    render();
  }

  // Back to the results from an article: the previous history entry when
  // the article was opened from them, else their URL.
  function closeDoc() {
    const s = readState();
    if (!s.doc) return;
    if (history.state && history.state.results) history.back();
    else navigate(pageUrl(Object.assign({}, s, { doc: '' })));
  }

  // A link inside the page: a real href, followed without a reload.
  function link(url, attrs, ...children) {
    return h('a', Object.assign({ href: url, 'data-nav': true }, attrs), ...children);
  }

  // ---- text ----------------------------------------------------------------

  // `text` with the [start, end) character ranges in `highlights` as <mark>.
  // Offsets count Unicode characters (code points), as the API sends them.
  function marked(text, highlights) {
    const frag = document.createDocumentFragment();
    const chars = Array.from(text || '');
    let at = 0;
    const ranges = (highlights || []).slice().sort((a, b) => a[0] - b[0]);
    for (const [from, to] of ranges) {
      const start = Math.max(from, at);
      const end = Math.min(to, chars.length);
      if (end <= start) continue;
      if (start > at) frag.append(chars.slice(at, start).join(''));
      frag.append(h('mark', { text: chars.slice(start, end).join('') }));
      at = end;
    }
    if (at < chars.length) frag.append(chars.slice(at).join(''));
    return frag;
  }

  // The words to highlight in an article: those highlighted in its hit
  // (when it is among the results shown), else the query's plain words.
  let lastHits = [];

  function docNeedles(s) {
    const found = new Set();
    const hit = lastHits.find((x) => x.id === s.doc);
    const take = (text, ranges) => {
      const chars = Array.from(text || '');
      for (const [from, to] of ranges || []) found.add(chars.slice(from, to).join(''));
    };
    if (hit) {
      take(hit.snippet, hit.highlights);
      take(hit.title, hit.title_highlights);
    } else {
      for (const word of s.q.match(/"[^"]*"|\S+/g) || []) {
        if (word.startsWith('-') || word === 'OR' || /^[a-z_]+:/i.test(word)) continue;
        found.add(word.replace(/["()*]/g, ''));
      }
    }
    return [...found].filter(Boolean).sort((a, b) => b.length - a.length);
  }

  // `text` with every occurrence of `needles` (longest first) as <mark>.
  function markAll(text, needles) {
    const frag = document.createDocumentFragment();
    let at = 0;
    while (needles.length && at < text.length) {
      let best = -1;
      let length = 0;
      for (const n of needles) {
        const i = text.indexOf(n, at);
        if (i >= 0 && (best < 0 || i < best)) {
          best = i;
          length = n.length;
        }
      }
      if (best < 0) break;
      if (best > at) frag.append(text.slice(at, best));
      frag.append(h('mark', { text: text.slice(best, best + length) }));
      at = best + length;
    }
    if (at < text.length) frag.append(text.slice(at));
    return frag;
  }

  function formatDate(d) {
    if (!d) return '';
    return t('ymd', d.year, d.month, d.day);
  }

  // `/广东省/佛山市/高明区` → `佛山市 · 高明区` (the province is implied by the city).
  function regionName(path) {
    const parts = path.split('/').filter(Boolean);
    return (parts.length > 2 ? parts.slice(1) : parts).join(' · ');
  }

  function safeUrl(url) {
    try {
      const u = new URL(url);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
    } catch (_) {
      return null;
    }
  }

  // ---- fetching ---------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, error) {
      super((error && error.message) || 'HTTP ' + status);
      this.status = status;
      this.detail = error || {};
    }
  }

  async function getJson(url, signal) {
    const response = await fetch(url, { signal, headers: { Accept: 'application/json' } });
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    if (!response.ok) throw new ApiError(response.status, body && body.error);
    return body;
  }

  function apiParams(s) {
    const p = new URLSearchParams();
    p.set('q', [s.q || '*'].concat(s.not.map(notQuery)).join(' '));
    appendValues(p, s);
    if (s.since) p.set('since', s.since);
    if (s.until) p.set('until', s.until);
    // Without a query every article scores the same: browse by date,
    // newest first unless oldest first was chosen.
    p.set('sort', browseSort(s));
    p.set('limit', String(PAGE_SIZE));
    p.set('offset', String(Math.min((s.page - 1) * PAGE_SIZE, MAX_OFFSET)));
    p.set('facets', 'true');
    // Each facet counted without its own filter: a count is what a click gives.
    p.set('disjunctive', 'true');
    return p;
  }

  // ---- rendering ----------------------------------------------------------------

  let inflight = null;
  // The state last rendered, to tell paging and closing an article apart.
  let shown = null;

  function setBusy(state) {
    document.body.dataset.state = state;
  }

  async function render() {
    const s = readState();
    $('q').value = s.q;
    // Without a query, articles are listed by date (see apiParams).
    $('sort').value = browseSort(s);
    document.title = (s.q ? s.q + ' - ' : '') + 'zhsearch';
    if (inflight) inflight.abort();
    const controller = new AbortController();
    inflight = controller;
    setBusy('loading');
    $('error').hidden = true;
    renderChips(s);
    const showingDoc = Boolean(s.doc);
    $('hits').hidden = showingDoc;
    $('pager').hidden = showingDoc;
    $('doc').hidden = !showingDoc;
    $('status').hidden = showingDoc;
    // The first load says so; later ones fade the old results (style.css).
    if (!showingDoc && !shown) $('status').replaceChildren(t('loading'));
    if (showingDoc) $('chart').hidden = true;
    const jobs = [
      getJson('/api/search?' + apiParams(s), controller.signal).then(async (results) => {
        renderFacets(s, results.facets);
        if (showingDoc) return;
        // Few results, or none with every word (the search was relaxed):
        // perhaps a word is misspelt (乡村振新 for 乡村振兴).
        let suggestion = null;
        if (s.q && s.page === 1 && (results.total < SUGGEST_BELOW || wasRelaxed(results))) {
          const p = new URLSearchParams({ q: s.q });
          suggestion = (await getJson('/api/suggest?' + p, controller.signal)).suggestion;
        }
        renderChart(s, results.facets);
        renderResults(s, results, suggestion);
      }),
    ];
    if (showingDoc) {
      $('status').textContent = '';
      jobs.push(
        getJson('/api/doc/' + encodeURIComponent(s.doc), controller.signal).then((doc) =>
          renderDoc(s, doc),
        ),
      );
    }
    try {
      await Promise.all(jobs);
      if (inflight !== controller) return;
      placeFocus(shown, s);
      shown = s;
      setBusy('ready');
    } catch (e) {
      if (e.name === 'AbortError' || inflight !== controller) return;
      showError(s, e);
      setBusy('error');
    }
  }

  // After a render: paging shows the first result (and a keyboard user
  // goes on from there); closing an article returns to its hit; a clicked
  // facet or chip keeps the focus in its place.
  function placeFocus(before, s) {
    const key = focusKey;
    focusKey = null;
    if (s.doc) {
      if (!before || before.doc !== s.doc) {
        window.scrollTo(0, 0);
        $('doc-title').focus({ preventScroll: true });
      }
      return;
    }
    if (before && before.doc) {
      const back = [...document.querySelectorAll('#hits .hit-title a')].find((a) => a.dataset.id === before.doc);
      if (back) {
        back.focus({ preventScroll: true });
        back.scrollIntoView({ block: 'center' });
        return;
      }
    }
    if (key) {
      const same = [...document.querySelectorAll('[data-key]')].find((e) => e.dataset.key === key);
      if (same) {
        same.focus({ preventScroll: true });
        return;
      }
    }
    const paged = before && before.page !== s.page &&
      pageUrl(Object.assign({}, before, { page: 1 })) === pageUrl(Object.assign({}, s, { page: 1 }));
    if (paged) {
      window.scrollTo(0, 0);
      $('hits').focus({ preventScroll: true });
    } else if (key) {
      $('status').focus({ preventScroll: true });
    }
  }

  function renderChips(s) {
    const chips = [];
    const chip = (label, value, without) =>
      link(pageUrl(changed(s, without)), { class: 'chip', title: t('removeFilter'), 'data-key': 'chip' },
        h('span', { class: 'chip-label', text: label }), value, h('span', { class: 'chip-x', 'aria-hidden': 'true', text: '×' }));
    for (const f of FILTERS) {
      const list = s.values[f.param] || [];
      for (const v of list) chips.push(chip(f.label, valueName(f, v), withValues(s, f.param, list.filter((x) => x !== v))));
    }
    for (const v of s.not) {
      const f = FILTERS.find((x) => v.startsWith(x.param + ':'));
      const value = v.slice(f.param.length + 1);
      chips.push(link(pageUrl(changed(s, { not: s.not.filter((x) => x !== v) })),
        { class: 'chip chip-not', title: t('removeFilter'), 'data-key': 'chip' },
        h('span', { class: 'chip-label', text: t('without', label(f)) }),
        h('s', { text: valueName(f, value) }),
        h('span', { class: 'chip-x', 'aria-hidden': 'true', text: '×' })));
    }
    if (s.since || s.until) {
      const range = s.since === s.until ? s.since : (s.since || '…') + t('to') + (s.until || '…');
      chips.push(chip(t('date'), range, { since: '', until: '' }));
    }
    if (chips.length > 1) {
      chips.push(link(pageUrl(changed(s, noFilters())), { class: 'chip clear', text: t('clearAll') }));
    }
    $('chips').replaceChildren(...chips);
  }

  // Whether some articles shown lack some of the query's words.
  function wasRelaxed(results) {
    return Boolean(results.relaxed && results.relaxed.with_all !== null);
  }

  function renderResults(s, results, suggestion) {
    const from = results.offset + 1;
    const to = results.offset + results.hits.length;
    const status = [];
    if (results.total === 0) {
      status.push(t('nothing'));
      if (anyFilter(s)) status.push(t('tryFewer'));
    } else {
      status.push(...(s.q ? t('found', results.total) : t('all', results.total)));
      if (results.hits.length) status.push(t('range', from, to));
      if (!s.q) status.push(t('byDate'));
    }
    if (results.undated_excluded) {
      status.push(t('undatedOut', results.undated_excluded));
    }
    if (typeof results.elapsed_ms === 'number') {
      const ms = results.elapsed_ms < 10 ? results.elapsed_ms.toFixed(1) : String(Math.round(results.elapsed_ms));
      status.push(h('span', { class: 'took', text: t('took', ms) }));
    }
    const relaxed = results.relaxed;
    if (wasRelaxed(results)) {
      // As the terminal says it: which words no article (or too few) has all of.
      // All the words: a long text's common ones (relaxed.common) score
      // without counting, but no article lacking them has all the words.
      const words = wordList(relaxed.words.concat(relaxed.common || []));
      status.push(relaxed.with_all === 0 ? t('relaxedNone', words) : t('relaxedFew', relaxed.with_all, words));
    }
    if (results.reworded) status.push(t('reworded', results.reworded));
    // On its own line, after what was found.
    if (suggestion) {
      status.push(h('span', { class: 'suggest' }, t('didYouMean'),
        link(pageUrl(changed(s, { q: suggestion })), { text: suggestion, 'data-key': 'suggestion' })));
    }
    $('status').replaceChildren(...status);
    const list = $('hits');
    lastHits = results.hits;
    list.start = from;
    list.replaceChildren(...results.hits.map((hit) => renderHit(s, hit)));
    // Pages count hits: near-duplicates fold into one (hits_total).
    renderPager(s, results.hits_total ?? results.total);
  }

  // Past eight words (a passage pasted whole has a hundred), how many
  // rather than which, as the terminal says it.
  function wordList(words) {
    return words.length <= 8 ? words.join(' ') : t('words', words.length);
  }

  function renderHit(s, hit) {
    const meta = hit.meta || {};
    const facts = [];
    for (const r of meta.regions || []) facts.push(h('span', { class: 'region', title: r, text: regionName(r) }));
    if (meta.date) facts.push(h('time', { text: formatDate(meta.date) }));
    for (const t of meta.topics || []) facts.push(h('span', { class: 'tag', text: t.topic }));
    if (hit.source) facts.push(h('span', { class: 'source', text: hit.source }));
    if (hit.missing && hit.missing.length) facts.push(h('span', { class: 'missing', text: t('missing', wordList(hit.missing)) }));
    const similar = hit.similar || [];
    return h('li', { class: 'hit' },
      h('h2', { class: 'hit-title' }, link(pageUrl(Object.assign({}, s, { doc: hit.id })), { 'data-id': hit.id }, marked(hit.title, hit.title_highlights))),
      facts.length ? h('p', { class: 'hit-meta' }, ...facts) : null,
      h('p', { class: 'snippet' }, marked(hit.snippet, hit.highlights)),
      h('p', { class: 'hit-path', text: hit.path }),
      // Near-duplicates folded under this hit: each opens like a hit.
      similar.length ? h('details', { class: 'similar' },
        h('summary', { text: t('similar', similar.length) }),
        h('ul', null, ...similar.map((id) =>
          h('li', null, link(pageUrl(Object.assign({}, s, { doc: id })), { 'data-id': id, text: id }))))) : null);
  }

  function renderPager(s, total) {
    const pages = Math.min(Math.ceil(total / PAGE_SIZE), Math.floor(MAX_OFFSET / PAGE_SIZE) + 1);
    const nav = $('pager');
    if (pages <= 1) {
      nav.replaceChildren();
      return;
    }
    const at = (page) => pageUrl(Object.assign({}, s, { page, doc: '' }));
    const items = [];
    items.push(s.page > 1 ? link(at(s.page - 1), { rel: 'prev', text: t('prev') }) : h('span', { class: 'disabled', text: t('prev') }));
    let last = 0;
    for (let p = 1; p <= pages; p++) {
      if (p !== 1 && p !== pages && Math.abs(p - s.page) > 2) continue;
      if (p - last > 1) items.push(h('span', { class: 'gap', text: '…' }));
      items.push(p === s.page ? h('span', { class: 'current', 'aria-current': 'page', text: String(p) }) : link(at(p), { text: String(p) }));
      last = p;
    }
    items.push(s.page < pages ? link(at(s.page + 1), { rel: 'next', text: t('next') }) : h('span', { class: 'disabled', text: t('next') }));
    nav.replaceChildren(...items);
  }

  // A facet value as a link that toggles its filter, with its count.
  function facetItem(text, count, active, url, title, key) {
    return link(url, { class: 'facet-link' + (active ? ' active' : ''), 'aria-current': active ? 'true' : null, title, 'data-key': key },
      h('span', { class: 'facet-name', text }), h('span', { class: 'count', text: String(count) }));
  }

  // ---- results over time -------------------------------------------------------

  const SVG = 'http://www.w3.org/2000/svg';
  const MAX_YEAR_BARS = 80;

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    node.append(...children);
    return node;
  }

  // The bars of the chart, from the date facet's years and months: one a
  // month when every dated article has its month and the years are few,
  // else one a year; the empty months and years between are bars too.
  function dateBins(years) {
    years = (years || []).filter((y) => y.count > 0).slice().sort((a, b) => a.path.localeCompare(b.path));
    if (!years.length) return [];
    const byMonth = years.every((y) => (y.children || []).reduce((n, m) => n + m.count, 0) === y.count);
    const first = parseInt(years[0].name, 10);
    const last = parseInt(years[years.length - 1].name, 10);
    const pad = (n, w) => String(n).padStart(w, '0');
    if (byMonth && last - first < 4) {
      const counts = new Map();
      for (const y of years) for (const m of y.children || []) counts.set(y.name + '-' + m.name, m.count);
      const bins = [];
      const firstMonths = (years[0].children || []).map((m) => parseInt(m.name, 10));
      const from = first * 12 + Math.min(...firstMonths) - 1;
      const lastMonths = (years[years.length - 1].children || []).map((m) => parseInt(m.name, 10));
      const to = last * 12 + Math.max(...lastMonths) - 1;
      for (let k = from; k <= to; k++) {
        const value = pad(Math.floor(k / 12), 4) + '-' + pad((k % 12) + 1, 2);
        bins.push({ value, year: Math.floor(k / 12), month: (k % 12) + 1, count: counts.get(value) || 0 });
      }
      return bins;
    }
    const counts = new Map(years.map((y) => [parseInt(y.name, 10), y.count]));
    const span = last - first < MAX_YEAR_BARS
      ? Array.from({ length: last - first + 1 }, (_, i) => first + i)
      : [...counts.keys()];
    return span.map((year) => ({ value: pad(year, 4), year, month: 0, count: counts.get(year) || 0 }));
  }

  function binName(bin) {
    return bin.month ? t('ymd', bin.year, bin.month) : t('year', bin.year);
  }

  // The chart of matching articles over time, above the results: a bar per
  // month or year; a click on a bar, or a drag over several, sets the dates.
  function renderChart(s, facets) {
    const box = $('chart');
    const bins = dateBins(facets && facets.year);
    if (bins.length < 2) {
      box.replaceChildren();
      box.hidden = true;
      return;
    }
    const max = Math.max(...bins.map((b) => b.count));
    const W = 10;
    const H = 60;
    const inRange = (b) => (!s.since || b.value.localeCompare(s.since.slice(0, b.value.length)) >= 0) &&
      (!s.until || b.value.localeCompare(s.until.slice(0, b.value.length)) <= 0);
    const bars = bins.map((b, i) => {
      const height = b.count ? Math.max(1.5, (b.count / max) * H) : 0;
      const rect = svg('rect', { x: i * W + 1, y: H - height, width: W - 2, height, class: inRange(b) ? 'bar' : 'bar out',
        'data-value': b.value, 'data-count': b.count });
      rect.append(svg('title', {}, binName(b) + ' ' + b.count));
      return rect;
    });
    const brush = svg('rect', { x: 0, y: 0, width: 0, height: H, class: 'brush' });
    const summary = t('chartLabel', binName(bins[0]), binName(bins[bins.length - 1]),
      bins.reduce((n, b) => n + b.count, 0), bins.filter((b) => b.count).map((b) => binName(b) + ' ' + b.count).join(t('listSep')));
    const chart = svg('svg', { viewBox: '0 0 ' + bins.length * W + ' ' + H, preserveAspectRatio: 'none',
      role: 'img', 'aria-label': summary, class: 'chart-svg' }, ...bars, brush);
    let from = null;
    const binAt = (event) => {
      const r = chart.getBoundingClientRect();
      const i = Math.floor(((event.clientX - r.left) / r.width) * bins.length);
      return Math.min(bins.length - 1, Math.max(0, i));
    };
    const show = (a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      brush.setAttribute('x', lo * W);
      brush.setAttribute('width', (hi - lo + 1) * W);
    };
    chart.addEventListener('pointerdown', (event) => {
      from = binAt(event);
      chart.setPointerCapture(event.pointerId);
      show(from, from);
    });
    chart.addEventListener('pointermove', (event) => {
      if (from !== null) show(from, binAt(event));
    });
    chart.addEventListener('pointerup', (event) => {
      if (from === null) return;
      const to = binAt(event);
      const [lo, hi] = from <= to ? [from, to] : [to, from];
      from = null;
      navigate(pageUrl(changed(readState(), { since: bins[lo].value, until: bins[hi].value })));
    });
    chart.addEventListener('pointercancel', () => {
      from = null;
      show(0, -1);
    });
    box.replaceChildren(chart,
      h('div', { class: 'chart-axis', 'aria-hidden': 'true' },
        h('span', { text: binName(bins[0]) }), h('span', { text: t('chartHint') }), h('span', { text: binName(bins[bins.length - 1]) })));
    box.hidden = false;
  }

  // Tree nodes the reader opened, by facet and path (kept across renders,
  // not in the URL); the last facets rendered, to redraw one facet alone.
  const opened = new Set();
  let lastFacets = { s: null, facets: {} };
  const FILTER_MATCHES = 50;

  // The sidebar: one section per facet that filters, built once from the
  // table (heading, a filter box for its values, a list); the lists are
  // refilled on every render.
  function buildSidebar() {
    const box = $('facets-box');
    for (const f of FACETS) {
      if (f.filter === 'none') continue;
      const section = h('section', { class: 'facet', id: 'facet-' + f.name },
        h('h2', { text: label(f) }));
      if (f.filter === 'dates') section.append(datePicker());
      if (f.filter === 'values') {
        const input = h('input', { type: 'search', class: 'facet-filter', placeholder: t('filterValues', label(f)),
          'aria-label': t('filterValues', label(f)), autocomplete: 'off', spellcheck: 'false' });
        input.addEventListener('input', () => renderFacet(f));
        section.append(input);
      }
      section.append(h('ul', { class: 'tree', id: f.name + '-tree' }));
      box.append(section);
    }
  }

  // A free date range: two dates and a button, setting since and until.
  function datePicker() {
    const since = h('input', { type: 'date', id: 'since', min: '0001-01-01', max: '9999-12-31' });
    const until = h('input', { type: 'date', id: 'until', min: '0001-01-01', max: '9999-12-31' });
    const form = h('form', { class: 'dates', id: 'dates' },
      h('label', { for: 'since', text: t('since') }), since,
      h('label', { for: 'until', text: t('until') }), until,
      h('button', { type: 'submit', text: t('apply') }));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      navigate(pageUrl(changed(readState(), { since: since.value, until: until.value })));
    });
    return form;
  }

  // A `since`/`until` value as the first or last day it covers.
  function fullDate(value, last) {
    const [y, m, d] = value.split('-');
    if (!y) return '';
    const month = m || (last ? '12' : '01');
    const day = d || (last ? String(new Date(Date.UTC(2001, parseInt(month, 10), 0)).getUTCDate()) : '01');
    return y.padStart(4, '0') + '-' + month.padStart(2, '0') + '-' + day.padStart(2, '0');
  }

  function renderFacets(s, facets) {
    // Built with its first values, so that nothing in it moves when they come.
    if (!$('facets-box').querySelector('.facet')) buildSidebar();
    lastFacets = { s, facets: facets || {} };
    if ($('since')) {
      $('since').value = s.since ? fullDate(s.since, false) : '';
      $('until').value = s.until ? fullDate(s.until, true) : '';
    }
    for (const f of FACETS) if ($(f.name + '-tree')) renderFacet(f);
  }

  // The values of facet `f`: top levels, a level opened on demand; with
  // text in its filter box, the values containing it, at every level.
  function renderFacet(f) {
    const { s, facets } = lastFacets;
    if (!s) return;
    const nodes = facets[f.name] || [];
    const ul = $(f.name + '-tree');
    const box = $('facet-' + f.name).querySelector('.facet-filter');
    const needle = box ? box.value.trim() : '';
    let items;
    if (needle) {
      const found = [];
      const walk = (list) => list.forEach((n) => {
        if (n.name.includes(needle)) found.push(n);
        walk(n.children || []);
      });
      walk(nodes);
      items = found.slice(0, FILTER_MATCHES).map((n) =>
        h('li', {}, h('div', { class: 'facet-row' }, facetLink(s, f, n, f.kind === 'tree' ? regionName(n.path) : n.name))));
      if (!found.length) items.push(h('li', { class: 'none', text: t('noMatch') }));
    } else {
      items = levelItems(s, f, nodes, selectedAncestors(s, f));
    }
    const rest = restBucket(f, facets);
    if (rest) items.push(rest);
    ul.replaceChildren(...items);
  }

  // The tree paths holding a selected value (open, so that it shows).
  function selectedAncestors(s, f) {
    const paths = new Set();
    const selected = f.filter === 'dates'
      ? [s.since, s.until].filter(Boolean).map((d) => '/' + d.split('-').slice(0, 2).join('/'))
      : f.kind === 'tree' ? (s.values[f.param] || []) : [];
    for (const value of selected) {
      const parts = value.split('/').filter(Boolean);
      for (let i = 1; i < parts.length; i++) paths.add('/' + parts.slice(0, i).join('/'));
    }
    return paths;
  }

  // One level of a facet's values; past TREE_CHILDREN the rest hides
  // behind a button.
  function levelItems(s, f, nodes, open) {
    const items = nodes.map((node, i) => {
      const kids = node.children || [];
      const key = f.name + ':' + node.path;
      const isOpen = kids.length > 0 && (opened.has(key) || open.has(node.path));
      const row = h('div', { class: 'facet-row' });
      if (kids.length) {
        const toggle = h('button', { type: 'button', class: 'toggle', 'aria-expanded': isOpen ? 'true' : 'false',
          'aria-label': t(isOpen ? 'collapse' : 'expand', node.name), 'data-key': 'toggle:' + key });
        toggle.addEventListener('click', () => {
          if (isOpen) {
            opened.delete(key);
            open.delete(node.path);
          } else {
            opened.add(key);
          }
          renderFacet(f);
          const again = document.querySelector('[data-key="' + CSS.escape('toggle:' + key) + '"]');
          if (again) again.focus();
        });
        row.append(toggle);
      } else {
        row.append(h('span', { class: 'toggle-space' }));
      }
      row.append(facetLink(s, f, node));
      if (f.filter === 'values') row.append(excludeLink(s, f, node));
      const li = h('li', { class: i >= TREE_CHILDREN ? 'extra' : null }, row);
      if (isOpen) li.append(h('ul', { class: 'tree sub' }, ...levelItems(s, f, kids, open)));
      return li;
    });
    if (!nodes.length) items.push(h('li', { class: 'none', text: t('none') }));
    if (nodes.length > TREE_CHILDREN) {
      const more = h('button', { type: 'button', class: 'more', text: t('more', nodes.length - TREE_CHILDREN) });
      more.addEventListener('click', () => {
        more.closest('ul').classList.add('expanded');
        more.parentElement.remove();
      });
      items.push(h('li', { class: 'more-row' }, more));
    }
    return items;
  }

  // The matching articles with no value of facet `f`: no date, no region…
  function restBucket(f, facets) {
    const count = f.filter === 'dates' ? facets.undated : (facets.missing || {})[f.name];
    if (!count) return null;
    return h('li', { class: 'rest' }, h('div', { class: 'facet-row' }, h('span', { class: 'toggle-space' }),
      h('span', { class: 'facet-link rest-link' },
        h('span', { class: 'facet-name', text: f.filter === 'dates' ? t('undated') : t('unknown', label(f)) }),
        h('span', { class: 'count', text: String(count) }))));
  }

  // A value of facet `f` as a link toggling its filter.
  function facetLink(s, f, node, name) {
    if (f.filter === 'dates') {
      // A year node's path is /2023 (/0618 before 1000), a month's /2023/09.
      const parts = node.path.split('/').filter(Boolean);
      const value = parts.join('-');
      const active = s.since === value && s.until === value;
      const next = active ? { since: '', until: '' } : { since: value, until: value };
      const text = parts.length === 1 ? t('year', parseInt(node.name, 10)) : t('month', parseInt(node.name, 10));
      return facetItem(text, node.count, active, pageUrl(changed(s, next)), value, f.name + ':' + value);
    }
    const list = s.values[f.param] || [];
    const value = facetValue(f, node);
    const url = pageUrl(changed(s, withValues(s, f.param, toggled(list, value))));
    return facetItem(name || node.name, node.count, list.includes(value), url, f.kind === 'tree' ? node.path : undefined, f.name + ':' + value);
  }

  // A link leaving a value of facet `f` out of the results.
  function excludeLink(s, f, node) {
    const v = f.param + ':' + facetValue(f, node);
    if (s.not.includes(v)) return h('span', { class: 'toggle-space' });
    return link(pageUrl(changed(s, { not: s.not.concat([v]) })),
      { class: 'exclude', title: t('without', node.name), 'aria-label': t('without', node.name), 'data-key': 'not:' + v }, '⊖');
  }

  function renderDoc(s, doc) {
    const meta = doc.meta || {};
    const rows = [];
    const row = (label, ...value) => rows.push(h('dt', { text: label }), h('dd', {}, ...value));
    if (doc.source) row(t('source'), doc.source);
    if (meta.date) row(t('date'), h('time', { text: formatDate(meta.date), title: meta.date.evidence || '' }));
    if ((meta.regions || []).length) {
      row(t('region'), ...meta.regions.map((r) =>
        link(pageUrl(changed(s, withValues(s, 'region', [r]))), { class: 'tag', title: r, text: regionName(r) })));
    }
    if ((meta.topics || []).length) {
      row(t('topic'), ...meta.topics.map((t) =>
        link(pageUrl(changed(s, withValues(s, 'topic', [t.topic]))), { class: 'tag', text: t.topic })));
    }
    if ((meta.keywords || []).length) row(t('keywords'), meta.keywords.join(t('listSep')));
    const url = doc.url && safeUrl(doc.url);
    if (url) row(t('original'), h('a', { href: url, rel: 'noopener noreferrer', target: '_blank', text: url }));
    row(t('file'), h('code', { text: doc.path }));

    const needles = docNeedles(s);
    const paragraphs = (doc.body || '')
      .split(/\n+/)
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => h('p', {}, markAll(p, needles)));

    $('doc').replaceChildren(
      h('p', { class: 'back' }, link(pageUrl(Object.assign({}, s, { doc: '' })), { text: t('back') })),
      h('h1', { class: 'doc-title', id: 'doc-title', tabindex: '-1' }, markAll(doc.title || '', needles)),
      h('dl', { class: 'doc-meta' }, ...rows),
      h('div', { class: 'doc-body' }, ...paragraphs),
    );
    document.title = doc.title + ' - zhsearch';
  }

  // An error, told by its kind in the reader's words; the server's own
  // message (English) only under 详细信息.
  function showError(s, e) {
    const box = $('error');
    const parts = [];
    if (e instanceof ApiError) {
      const d = e.detail;
      const [kind, help] = d.parameter === 'q' ? ['badQuery', t('badQueryHelp')]
        : d.parameter ? ['badParam', t('badParamHelp', d.parameter)]
        : e.status === 404 ? ['notFound', t('notFoundHelp')]
        : e.status === 429 ? ['busy', t('busyHelp')]
        : e.status === 503 ? ['timeout', t('timeoutHelp')]
        : ['broken', t('brokenHelp')];
      parts.push(h('strong', { text: t(kind) }), help);
      if (d.parameter === 'q' && typeof d.position === 'number' && s.q) {
        // Point at the character the error is about.
        const chars = Array.from(s.q);
        const at = Math.min(d.position, chars.length);
        parts.push(h('code', { class: 'query-echo' },
          chars.slice(0, at).join(''),
          h('mark', { text: chars[at] || ' ' }),
          chars.slice(at + 1).join('')));
      }
      if (e.message) parts.push(h('details', { class: 'error-detail' }, h('summary', { text: t('details') }), e.message));
    } else {
      parts.push(h('strong', { text: t('offline') }), t('offlineHelp'));
    }
    box.replaceChildren(...parts);
    box.hidden = false;
    $('status').textContent = '';
    if (!s.doc) {
      $('hits').replaceChildren();
      $('pager').replaceChildren();
    }
  }

  // ---- events ------------------------------------------------------------------

  document.addEventListener('click', (event) => {
    const a = event.target.closest('a[data-nav]');
    if (!a || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    // On a phone the filter panel covers the results: a choice closes it.
    const inPanel = a.closest('#facets');
    if (inPanel && narrow.matches) $('facets-box').open = false;
    navigate(a.getAttribute('href'), inPanel && narrow.matches ? null : a.dataset.key);
  });

  // The skip link: straight to the first result (or the article's title).
  document.addEventListener('click', (event) => {
    if (!event.target.closest('a.skip')) return;
    event.preventDefault();
    const target = readState().doc ? $('doc-title') : document.querySelector('#hits .hit-title a') || $('status');
    if (target) target.focus();
  });

  window.addEventListener('popstate', render);

  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && readState().doc) {
      event.preventDefault();
      closeDoc();
      return;
    }
    if (event.key === '/' && !event.target.closest('input, select, textarea')) {
      event.preventDefault();
      $('q').focus();
    }
  });

  const narrow = window.matchMedia('(max-width: 720px)');

  async function start() {
    try {
      FACETS = (await getJson('/api/facet-specs')).facets;
    } catch (e) {
      FACETS = [];
    }
    FILTERS = FACETS.filter((f) => f.filter === 'values');
    translatePage();
    $('facets-box').open = !narrow.matches;
    $('search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const s = readState();
      // From the start page (listed by date), a query is ranked by relevance
      // unless an order was chosen.
      const sort = s.q || s.sort !== 'relevance' ? $('sort').value : s.sort;
      navigate(pageUrl(changed(s, { q: $('q').value.trim(), sort })));
    });
    $('sort').addEventListener('change', () => {
      const s = readState();
      navigate(pageUrl(changed(s, { sort: $('sort').value })));
    });
    render();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();

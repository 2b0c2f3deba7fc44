// zhsearch's browsing page: a search box, a facet sidebar, results with
// highlighted passages, pagination and a document view, over the JSON API.
//
// All state lives in the URL, so any view can be bookmarked and shared, and
// back/forward work:
//   /?q=党建&region=/广东省/佛山市&topic=党建&since=2023&until=2023&sort=date&page=2&doc=ID
// Every link is a real link; plain clicks are handled here without a reload.
//
// Article text never becomes markup: strings go into the DOM as text nodes
// (textContent, append(string)), and highlights are <mark> elements built
// with createElement from the API's [start, end) character offsets.
'use strict';

(function () {
  const PAGE_SIZE = 10;
  const MAX_OFFSET = 10000;
  const TREE_CHILDREN = 12;

  const $ = (id) => document.getElementById(id);

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

  // ---- state <-> URL ------------------------------------------------------

  function readState(search) {
    const p = new URLSearchParams(search === undefined ? location.search : search);
    const page = parseInt(p.get('page') || '1', 10);
    return {
      q: (p.get('q') || '').trim(),
      region: p.getAll('region').filter(Boolean),
      topic: p.getAll('topic').filter(Boolean),
      since: p.get('since') || '',
      until: p.get('until') || '',
      sort: p.get('sort') === 'date' ? 'date' : 'relevance',
      page: Number.isFinite(page) && page > 0 ? page : 1,
      doc: p.get('doc') || '',
    };
  }

  function pageUrl(s) {
    const p = new URLSearchParams();
    if (s.q) p.set('q', s.q);
    for (const r of s.region) p.append('region', r);
    for (const t of s.topic) p.append('topic', t);
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

  function navigate(url) {
    history.pushState(null, '', url);
    render();
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

  function formatDate(d) {
    if (!d) return '';
    let out = d.year + '年';
    if (d.month) out += d.month + '月';
    if (d.month && d.day) out += d.day + '日';
    return out;
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
    p.set('q', s.q || '*');
    for (const r of s.region) p.append('region', r);
    for (const t of s.topic) p.append('topic', t);
    if (s.since) p.set('since', s.since);
    if (s.until) p.set('until', s.until);
    // Without a query every article scores the same: browse newest first.
    p.set('sort', s.q ? s.sort : 'date');
    p.set('limit', String(PAGE_SIZE));
    p.set('offset', String(Math.min((s.page - 1) * PAGE_SIZE, MAX_OFFSET)));
    p.set('facets', 'true');
    return p;
  }

  // ---- rendering ----------------------------------------------------------------

  let inflight = null;

  function setBusy(state) {
    document.body.dataset.state = state;
  }

  async function render() {
    const s = readState();
    $('q').value = s.q;
    // Without a query, articles are listed newest first (see apiParams).
    $('sort').value = s.q ? s.sort : 'date';
    $('sort').disabled = !s.q;
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
    const jobs = [
      getJson('/api/search?' + apiParams(s), controller.signal).then((results) => {
        renderFacets(s, results.facets);
        if (!showingDoc) renderResults(s, results);
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
      if (inflight === controller) setBusy('ready');
    } catch (e) {
      if (e.name === 'AbortError' || inflight !== controller) return;
      showError(s, e);
      setBusy('error');
    }
  }

  function renderChips(s) {
    const chips = [];
    const chip = (label, value, without) =>
      link(pageUrl(changed(s, without)), { class: 'chip', title: '取消这个筛选' },
        h('span', { class: 'chip-label', text: label }), value, h('span', { class: 'chip-x', 'aria-hidden': 'true', text: '×' }));
    for (const r of s.region) chips.push(chip('地区', regionName(r), { region: s.region.filter((v) => v !== r) }));
    for (const t of s.topic) chips.push(chip('主题', t, { topic: s.topic.filter((v) => v !== t) }));
    if (s.since || s.until) {
      const range = s.since === s.until ? s.since : (s.since || '…') + ' 至 ' + (s.until || '…');
      chips.push(chip('日期', range, { since: '', until: '' }));
    }
    if (chips.length > 1) {
      chips.push(link(pageUrl(changed(s, { region: [], topic: [], since: '', until: '' })), { class: 'chip clear', text: '清除全部' }));
    }
    $('chips').replaceChildren(...chips);
  }

  function renderResults(s, results) {
    const from = results.offset + 1;
    const to = results.offset + results.hits.length;
    const status = [];
    if (results.total === 0) {
      status.push('没有找到匹配的文章');
      if (s.region.length || s.topic.length || s.since || s.until) status.push('，可以试试取消筛选');
    } else {
      status.push(s.q ? '找到 ' : '全部 ', h('b', { text: String(results.total) }), ' 篇');
      if (results.hits.length) status.push('，第 ' + from + '–' + to + ' 篇');
      if (!s.q) status.push('（按日期）');
    }
    if (results.undated_excluded) {
      status.push('；另有 ' + results.undated_excluded + ' 篇没有日期，未计入');
    }
    const relaxed = results.relaxed;
    if (relaxed && relaxed.with_all !== null) {
      // As the terminal says it: which words no article (or too few) has all of.
      status.push(relaxed.with_all === 0
        ? '；没有文章包含全部词语（' + relaxed.words.join(' ') + '），以下为包含其中部分词语的文章'
        : '；只有 ' + relaxed.with_all + ' 篇包含全部词语（' + relaxed.words.join(' ') + '），其后为包含部分词语的文章');
    }
    $('status').replaceChildren(...status);
    const list = $('hits');
    list.start = from;
    list.replaceChildren(...results.hits.map((hit) => renderHit(s, hit)));
    renderPager(s, results.total);
  }

  function renderHit(s, hit) {
    const meta = hit.meta || {};
    const facts = [];
    for (const r of meta.regions || []) facts.push(h('span', { class: 'region', title: r, text: regionName(r) }));
    if (meta.date) facts.push(h('time', { text: formatDate(meta.date) }));
    for (const t of meta.topics || []) facts.push(h('span', { class: 'tag', text: t.topic }));
    if (hit.source) facts.push(h('span', { class: 'source', text: hit.source }));
    if (hit.missing && hit.missing.length) facts.push(h('span', { class: 'missing', text: '缺少：' + hit.missing.join(' ') }));
    return h('li', { class: 'hit' },
      h('h2', { class: 'hit-title' }, link(pageUrl(Object.assign({}, s, { doc: hit.id })), {}, marked(hit.title, hit.title_highlights))),
      facts.length ? h('p', { class: 'hit-meta' }, ...facts) : null,
      h('p', { class: 'snippet' }, marked(hit.snippet, hit.highlights)),
      h('p', { class: 'hit-path', text: hit.path }));
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
    items.push(s.page > 1 ? link(at(s.page - 1), { rel: 'prev', text: '上一页' }) : h('span', { class: 'disabled', text: '上一页' }));
    let last = 0;
    for (let p = 1; p <= pages; p++) {
      if (p !== 1 && p !== pages && Math.abs(p - s.page) > 2) continue;
      if (p - last > 1) items.push(h('span', { class: 'gap', text: '…' }));
      items.push(p === s.page ? h('span', { class: 'current', 'aria-current': 'page', text: String(p) }) : link(at(p), { text: String(p) }));
      last = p;
    }
    items.push(s.page < pages ? link(at(s.page + 1), { rel: 'next', text: '下一页' }) : h('span', { class: 'disabled', text: '下一页' }));
    nav.replaceChildren(...items);
  }

  // A facet value as a link that toggles its filter, with its count.
  function facetItem(label, count, active, url, title) {
    return link(url, { class: 'facet-link' + (active ? ' active' : ''), 'aria-pressed': active ? 'true' : 'false', title },
      h('span', { class: 'facet-name', text: label }), h('span', { class: 'count', text: String(count) }));
  }

  // Fills `ul` with facet nodes (and their children, as nested lists); past
  // TREE_CHILDREN the rest of a level hides behind a button.
  function fillList(ul, nodes, item) {
    const items = nodes.map((node, i) => {
      const li = h('li', { class: i >= TREE_CHILDREN ? 'extra' : null }, item(node));
      if (node.children && node.children.length) {
        li.append(fillList(h('ul', { class: 'tree sub' }), node.children, item));
      }
      return li;
    });
    if (!nodes.length) items.push(h('li', { class: 'none', text: '无' }));
    ul.classList.remove('expanded');
    ul.replaceChildren(...items);
    if (nodes.length > TREE_CHILDREN) {
      const more = h('button', { type: 'button', class: 'more', text: '展开其余 ' + (nodes.length - TREE_CHILDREN) + ' 项' });
      more.addEventListener('click', () => {
        ul.classList.add('expanded');
        more.parentElement.remove();
      });
      ul.append(h('li', { class: 'more-row' }, more));
    }
    return ul;
  }

  function renderFacets(s, facets) {
    facets = facets || { region: [], year: [], topic: [] };

    fillList($('region-tree'), facets.region, (node) => {
      const active = s.region.includes(node.path);
      const url = pageUrl(changed(s, { region: toggled(s.region, node.path) }));
      return facetItem(node.name, node.count, active, url, node.path);
    });

    fillList($('year-tree'), facets.year, (node) => {
      // A year node's path is /2023 (/0618 before 1000), a month's /2023/09.
      const parts = node.path.split('/').filter(Boolean);
      const value = parts.join('-');
      const active = s.since === value && s.until === value;
      const next = active ? { since: '', until: '' } : { since: value, until: value };
      const label = parseInt(node.name, 10) + (parts.length === 1 ? '年' : '月');
      return facetItem(label, node.count, active, pageUrl(changed(s, next)), value);
    });

    fillList($('topic-list'), facets.topic, (node) => {
      const active = s.topic.includes(node.name);
      return facetItem(node.name, node.count, active, pageUrl(changed(s, { topic: toggled(s.topic, node.name) })));
    });
  }

  function renderDoc(s, doc) {
    const meta = doc.meta || {};
    const rows = [];
    const row = (label, ...value) => rows.push(h('dt', { text: label }), h('dd', {}, ...value));
    if (doc.source) row('来源', doc.source);
    if (meta.date) row('日期', h('time', { text: formatDate(meta.date), title: meta.date.evidence || '' }));
    if ((meta.regions || []).length) {
      row('地区', ...meta.regions.map((r) =>
        link(pageUrl(changed(s, { region: [r] })), { class: 'tag', title: r, text: regionName(r) })));
    }
    if ((meta.topics || []).length) {
      row('主题', ...meta.topics.map((t) =>
        link(pageUrl(changed(s, { topic: [t.topic] })), { class: 'tag', text: t.topic })));
    }
    if ((meta.keywords || []).length) row('关键词', meta.keywords.join('、'));
    const url = doc.url && safeUrl(doc.url);
    if (url) row('原文', h('a', { href: url, rel: 'noopener noreferrer', target: '_blank', text: url }));
    row('文件', h('code', { text: doc.path }));

    const paragraphs = (doc.body || '')
      .split(/\n+/)
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => h('p', { text: p }));

    $('doc').replaceChildren(
      h('p', { class: 'back' }, link(pageUrl(Object.assign({}, s, { doc: '' })), { text: '← 返回结果' })),
      h('h1', { class: 'doc-title', text: doc.title }),
      h('dl', { class: 'doc-meta' }, ...rows),
      h('div', { class: 'doc-body' }, ...paragraphs),
    );
    document.title = doc.title + ' - zhsearch';
    window.scrollTo(0, 0);
  }

  function showError(s, e) {
    const box = $('error');
    const parts = [];
    if (e instanceof ApiError) {
      const d = e.detail;
      const label = d.parameter === 'q' ? '查询有误：' : e.status === 404 ? '找不到：' : '出错了：';
      parts.push(h('strong', { text: label }), e.message);
      if (d.parameter === 'q' && typeof d.position === 'number' && s.q) {
        // Point at the character the error is about.
        const chars = Array.from(s.q);
        const at = Math.min(d.position, chars.length);
        parts.push(h('code', { class: 'query-echo' },
          chars.slice(0, at).join(''),
          h('mark', { text: chars[at] || ' ' }),
          chars.slice(at + 1).join('')));
      }
    } else {
      parts.push(h('strong', { text: '无法连接服务器：' }), String(e.message || e));
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
    navigate(a.getAttribute('href'));
  });

  window.addEventListener('popstate', render);

  document.addEventListener('keydown', (event) => {
    if (event.key === '/' && document.activeElement !== $('q')) {
      event.preventDefault();
      $('q').focus();
    }
  });

  function start() {
    const narrow = window.matchMedia('(max-width: 720px)');
    $('facets-box').open = !narrow.matches;
    $('search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const s = readState();
      const sort = s.q ? $('sort').value : s.sort;
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

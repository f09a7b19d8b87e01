/* kg HTML view: builds the network, the filters, the search box, the neighbourhood
   highlight and the side panel. Every name and sentence from the graph is put into the
   page with textContent, never as HTML. */
(function () {
  "use strict";

  var WIKIDATA = /^https?:\/\/www\.wikidata\.org\/[A-Za-z0-9_:\/#-]*$/;
  var FONT = "#222222";
  var DIM_FONT = "#c8c8c8";
  var EDGE_FONT = "#505050";
  var DIM = 0.15;
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var docs = data.docs;
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var edgeById = {};
  data.edges.forEach(function (e) {
    edgeById[e.id] = e;
    var seen = {};
    e.docs = [];
    e.statements.forEach(function (s) {
      if (s.doc !== undefined && !seen[s.doc]) { seen[s.doc] = true; e.docs.push(s.doc); }
    });
  });

  function el(tag, text, className) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (className) { e.className = className; }
    return e;
  }

  function shorten(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "\u2026" : text;
  }

  function docText(i) {
    var d = docs[i];
    if (!d) { return ""; }
    var extra = [d.id, d.date].filter(Boolean).join(", ");
    return (d.title || d.id || d.iri) + (extra && d.title ? " (" + extra + ")" : "");
  }

  function nodeTip(n) {
    var box = el("div", null, "kg-tooltip");
    box.appendChild(el("strong", n.label));
    box.appendChild(el("span", n.cls));
    if (n.aliases.length) {
      box.appendChild(el("div", "Also: " + shorten(n.aliases.join(", "), 160)));
    }
    return box;
  }

  function edgeTip(e) {
    var box = el("div", null, "kg-tooltip");
    box.appendChild(el("strong", byId[e.from].label + " " + e.pred + " " + byId[e.to].label));
    var count = e.statements.length;
    box.appendChild(el("span", count + (count === 1 ? " statement" : " statements") +
      (e.status ? " \u00b7 " + e.status : "")));
    var first = e.statements.filter(function (s) { return s.evidence; })[0];
    if (first) { box.appendChild(el("div", "\u201c" + shorten(first.evidence, 200) + "\u201d")); }
    return box;
  }

  data.nodes.forEach(function (n) { n.title = nodeTip(n); });
  data.edges.forEach(function (e) { e.title = edgeTip(e); });

  /* ---- filters: class, predicate, document ---- */
  var classOn = {};
  var predicateOn = {};
  var communityOn = {};
  var docOn = {};
  var docsOff = 0;
  var NAMED = document.querySelectorAll(".kg-community-filter:not([value='other'])").length;
  var unconnectedBox = document.getElementById("kg-unconnected");
  var unconnectedOn = unconnectedBox ? unconnectedBox.checked : true;
  function communityKey(n) { return n.comm < NAMED ? String(n.comm) : "other"; }
  function docsShown(list) {
    if (docsOff === 0 || list.length === 0) { return true; }
    for (var i = 0; i < list.length; i++) { if (docOn[list[i]] !== false) { return true; } }
    return false;
  }
  function nodeShown(id) {
    var n = byId[id];
    if (n.links === 0) { if (!unconnectedOn) { return false; } }
    else if (communityOn[communityKey(n)] === false) { return false; }
    return classOn[n.cls] !== false && docsShown(n.docs);
  }
  /* ---- colour: by community (the overview) or by class ---- */
  var SMALL = "#b4b4b4";
  var colourBy = data.overview ? "community" : "class";
  function colourOf(n, by) {
    if (by === "community") { return n.comm >= 0 ? data.communities[n.comm].colour : SMALL; }
    return data.classColours[n.cls] || SMALL;
  }
  function colourRecord(c) {
    return { background: c, border: c, highlight: { background: c, border: "#202020" },
      hover: { background: c, border: "#202020" } };
  }
  /* In the overview the most connected entities are labelled by drawLabels, at a size that
     does not shrink with the zoom; their own vis label would double it. */
  var labelled = {};
  data.labels.forEach(function (id) { labelled[id] = true; byId[id].font = { size: 0 }; });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var nodeView = new vis.DataView(nodes, { filter: function (n) { return nodeShown(n.id); } });
  var edgeView = new vis.DataView(edges, {
    filter: function (e) {
      return predicateOn[e.pred] !== false && docsShown(e.docs) &&
        nodeShown(e.from) && nodeShown(e.to);
    }
  });
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, data.options);

  function fitAll() {
    network.fit({ animation: false });
    network.moveTo({ scale: network.getScale() * 0.92 });  // a margin round the picture
  }

  function refresh() {
    if (unconnectedBox) { unconnectedOn = unconnectedBox.checked; }
    nodeView.refresh();
    edgeView.refresh();
    if (selected !== null && !nodeShown(selected)) { clearHighlight(); }
    else if (selected !== null) { highlight(selected); }
  }

  function filterBoxes(className) {
    return Array.prototype.slice.call(document.querySelectorAll("." + className));
  }

  function setFilter(box) {
    if (box.classList.contains("kg-class-filter")) { classOn[box.value] = box.checked; }
    else if (box.classList.contains("kg-community-filter")) { communityOn[box.value] = box.checked; }
    else if (box.classList.contains("kg-predicate-filter")) { predicateOn[box.value] = box.checked; }
    else {
      var was = docOn[box.value] !== false;
      docOn[box.value] = box.checked;
      docsOff += was === box.checked ? 0 : (box.checked ? -1 : 1);
    }
  }

  if (unconnectedBox) { unconnectedBox.addEventListener("change", refresh); }
  var colourSelect = document.getElementById("kg-colour-by");
  function setColourBy(by) {
    colourBy = by;
    nodes.update(data.nodes.map(function (n) {
      return { id: n.id, color: colourRecord(colourOf(n, by)) };
    }));
    filterBoxes("kg-glyph").forEach(function (g) {
      g.style.color = by === "class" ? g.getAttribute("data-colour") : "#666666";
    });
    if (selected !== null) { paint(selected); }
    fillTable();
  }
  if (colourSelect) {
    colourSelect.addEventListener("change", function () { setColourBy(colourSelect.value); });
  }

  ["kg-class-filter", "kg-community-filter", "kg-predicate-filter", "kg-document-filter"].forEach(function (name) {
    filterBoxes(name).forEach(function (box) {
      box.addEventListener("change", function () { setFilter(box); refresh(); });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".kg-all-none button"), function (b) {
    b.addEventListener("click", function () {
      var on = b.getAttribute("data-value") === "1";
      filterBoxes(b.getAttribute("data-filter")).forEach(function (box) {
        box.checked = on;
        setFilter(box);
      });
      refresh();
    });
  });

  document.getElementById("kg-physics").addEventListener("change", function (event) {
    network.setOptions({ physics: { enabled: event.target.checked } });
  });
  document.getElementById("kg-fit").addEventListener("click", fitAll);

  /* ---- neighbourhood highlight ---- */
  var selected = null;
  var near = null;  // the highlighted neighbourhood, or null

  /* Dims everything but ``id`` and its neighbours (``id`` null: dims nothing). The drawn
     nodes and edges are restyled directly: a DataSet update of every item would make
     vis-network rebuild its whole model, which takes seconds on big graphs. */
  function paint(id) {
    near = id === null ? null : {};
    if (id !== null) {
      near[id] = true;
      network.getConnectedNodes(id).forEach(function (m) { near[m] = true; });
    }
    var drawn = network.body.nodes;
    Object.keys(drawn).forEach(function (k) {
      var on = near === null || near[k] === true;
      drawn[k].setOptions({ opacity: on ? 1 : DIM, font: { color: on ? FONT : DIM_FONT } });
    });
    var lines = network.body.edges;
    Object.keys(lines).forEach(function (k) {
      var line = lines[k];
      var colour = edgeById[k].color;
      var on = id === null || line.fromId === id || line.toId === id;
      line.setOptions({
        color: { color: colour.color, opacity: id === null ? colour.opacity || 1 : on ? 1 : DIM },
        font: { color: on ? EDGE_FONT : "rgba(0,0,0,0)", strokeWidth: on ? 3 : 0 }
      });
    });
    network.body.emitter.emit("_requestRedraw");  // on the next frame, once
  }

  function highlight(id) {
    selected = id;
    paint(id);
    markRow(id);
  }

  function clearHighlight() {
    if (selected === null) { return; }
    selected = null;
    paint(null);
    markRow(null);
  }

  /* ---- labels of the overview: the most connected entities, readable at every zoom ---- */
  var LABEL_PX = 13;
  var MUST_LABEL = 20;  // the first 20 are drawn even where they cover another label
  var placedLabels = [];

  function overlaps(a, b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  }

  function drawLabels(ctx) {
    placedLabels = [];
    if (!data.labels.length) { return; }
    var scale = network.getScale();
    var ratio = network.canvas.pixelRatio || 1;
    var width = container.clientWidth;
    var height = container.clientHeight;
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);  // draw in CSS pixels, whatever the zoom
    ctx.font = "600 " + LABEL_PX + "px system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    ctx.lineWidth = 4;
    ctx.strokeStyle = "#ffffff";
    data.labels.forEach(function (id, rank) {
      var drawn = network.body.nodes[id];
      if (!drawn || !nodeShown(id)) { return; }
      var p = network.canvasToDOM({ x: drawn.x, y: drawn.y });
      var r = drawn.options.size * scale;
      var text = shorten(byId[id].label, 32);
      var w = Math.ceil(ctx.measureText(text).width);
      var h = LABEL_PX + 3;
      var spots = [];
      for (var step = 0; step < 3; step++) {  // beside the node first, then further out
        var dy = step * h;
        spots.push({ x: p.x - w / 2, y: p.y + r + 2 + dy }, { x: p.x - w / 2, y: p.y - r - 2 - h - dy },
          { x: p.x + r + 4, y: p.y - h / 2 + dy }, { x: p.x - r - 4 - w, y: p.y - h / 2 - dy },
          { x: p.x + r + 4, y: p.y - h / 2 - dy }, { x: p.x - r - 4 - w, y: p.y - h / 2 + dy });
      }
      var spot = null;
      for (var i = 0; i < spots.length && spot === null; i++) {
        var box = { x: spots[i].x, y: spots[i].y, w: w, h: h };
        var inside = box.x >= 0 && box.y >= 0 && box.x + w <= width && box.y + h <= height;
        if (inside && !placedLabels.some(function (b) { return overlaps(b, box); })) { spot = box; }
      }
      if (spot === null) {
        if (rank >= MUST_LABEL) { return; }
        // one of the first labels with no free spot: below its node, kept inside the view
        spot = {
          x: Math.min(Math.max(0, spots[0].x), Math.max(0, width - w)),
          y: Math.min(Math.max(0, spots[0].y), Math.max(0, height - h)),
          w: w, h: h
        };
      }
      ctx.fillStyle = near === null || near[id] === true ? "#111111" : DIM_FONT;
      ctx.strokeText(text, spot.x, spot.y + 1);
      ctx.fillText(text, spot.x, spot.y + 1);
      spot.id = id;
      spot.text = text;
      spot.size = LABEL_PX;
      placedLabels.push(spot);
    });
    ctx.restore();
  }
  network.on("afterDrawing", drawLabels);

  /* ---- side panel ---- */
  var panel = document.getElementById("kg-panel");

  function clearPanel() {
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
  }

  function nodeButton(id) {
    var b = el("button", byId[id].label);
    b.type = "button";
    b.addEventListener("click", function () { focusNode(id); });
    return b;
  }

  function statementBlock(s) {
    var box = el("div", null, "kg-statement");
    box.appendChild(el("blockquote", s.evidence || "(no evidence sentence)"));
    var facts = [];
    if (s.date) { facts.push("date " + s.date); }
    if (s.start) { facts.push("from " + s.start); }
    if (s.end) { facts.push("until " + s.end); }
    if (s.duration) { facts.push("for " + s.duration); }
    if (s.status) { facts.push(s.status); }
    if (s.role) { facts.push("role: " + s.role); }
    if (s.confidence !== undefined) { facts.push("confidence " + s.confidence.toFixed(2)); }
    if (facts.length) { box.appendChild(el("p", facts.join(" \u00b7 "), "kg-meta")); }
    if (s.doc !== undefined) { box.appendChild(el("p", "Source: " + docText(s.doc), "kg-meta")); }
    return box;
  }

  function relationBlock(e) {
    var box = el("div", null, "kg-relation");
    var head = el("div", null, "kg-relation-head");
    head.appendChild(nodeButton(e.from));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(el("span", e.pred, "kg-predicate"));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(nodeButton(e.to));
    if (e.status) { head.appendChild(el("span", e.status, "kg-badge kg-badge-" + e.status)); }
    box.appendChild(head);
    e.statements.forEach(function (s) { box.appendChild(statementBlock(s)); });
    return box;
  }

  function showNode(id) {
    var n = byId[id];
    clearPanel();
    panel.appendChild(el("h3", n.label));
    panel.appendChild(el("p", n.cls, "kg-class"));
    if (n.aliases.length) {
      panel.appendChild(el("h4", "Also called"));
      var names = el("ul", null, "kg-list");
      n.aliases.forEach(function (a) { names.appendChild(el("li", a)); });
      panel.appendChild(names);
    }
    if (n.wikidata) {
      var p = el("p");
      if (WIKIDATA.test(n.wikidata)) {
        var a = el("a", "Wikidata " + n.wikidata.replace(/^.*\//, ""));
        a.href = n.wikidata;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        p.appendChild(a);
      } else {
        p.textContent = n.wikidata;
      }
      panel.appendChild(p);
    }
    panel.appendChild(el("p", n.iri, "kg-iri"));
    if (n.docs.length) {
      panel.appendChild(el("h4", "Mentioned in"));
      var list = el("ul", null, "kg-list");
      n.docs.forEach(function (d) { list.appendChild(el("li", docText(d))); });
      panel.appendChild(list);
    }
    var mine = edges.get({ filter: function (e) { return e.from === id || e.to === id; } });
    function other(e) { return byId[e.from === id ? e.to : e.from].label.toLowerCase(); }
    mine.sort(function (a, b) {
      return a.pred.localeCompare(b.pred) || other(a).localeCompare(other(b)) || a.id - b.id;
    });
    panel.appendChild(el("h4", "Relations (" + mine.length + ")"));
    if (n.more) {
      panel.appendChild(el("p", n.more + (n.more === 1 ? " more relation" : " more relations") +
        " with entities not drawn on this page.", "kg-muted"));
    }
    mine.forEach(function (e) { panel.appendChild(relationBlock(edgeById[e.id])); });
  }

  function showEdge(id) {
    clearPanel();
    panel.appendChild(relationBlock(edgeById[id]));
  }

  network.on("click", function (params) {
    if (params.nodes.length) {
      highlight(params.nodes[0]);
      showNode(params.nodes[0]);
    } else if (params.edges.length) {
      clearHighlight();
      showEdge(params.edges[0]);
    } else {
      clearHighlight();
    }
  });

  /* ---- search ---- */
  var search = document.getElementById("kg-search");
  var status = document.getElementById("kg-search-status");
  var names = document.getElementById("kg-names");
  data.nodes.slice().sort(function (a, b) { return a.label < b.label ? -1 : a.label > b.label ? 1 : 0; })
    .forEach(function (n) {
      var option = document.createElement("option");
      option.value = n.label;
      names.appendChild(option);
    });

  function find(query) {
    var q = query.trim().toLowerCase();
    if (!q) { return null; }
    var tests = [
      function (s) { return s === q; },
      function (s) { return s.indexOf(q) === 0; },
      function (s) { return s.indexOf(q) >= 0; }
    ];
    for (var t = 0; t < tests.length; t++) {
      for (var i = 0; i < data.nodes.length; i++) {
        var n = data.nodes[i];
        var all = [n.label].concat(n.aliases);
        for (var j = 0; j < all.length; j++) {
          if (tests[t](all[j].toLowerCase())) { return n.id; }
        }
      }
    }
    return null;
  }

  /* Shows a node even when a filter hides it: turns its class, its community (or the entities
     without a relation) and one of its documents back on. */
  function reveal(n) {
    var changed = false;
    if (n.links === 0 && unconnectedBox && !unconnectedBox.checked) {
      unconnectedBox.checked = true;
      unconnectedOn = true;
      changed = true;
    }
    filterBoxes("kg-community-filter").forEach(function (box) {
      if (n.links > 0 && box.value === communityKey(n) && !box.checked) {
        box.checked = true; setFilter(box); changed = true;
      }
    });
    filterBoxes("kg-class-filter").forEach(function (box) {
      if (box.value === n.cls && !box.checked) { box.checked = true; setFilter(box); changed = true; }
    });
    if (!docsShown(n.docs)) {
      filterBoxes("kg-document-filter").forEach(function (box) {
        if (Number(box.value) === n.docs[0]) { box.checked = true; setFilter(box); changed = true; }
      });
    }
    if (changed) { nodeView.refresh(); edgeView.refresh(); }
  }

  function focusNode(id, zoom) {
    reveal(byId[id]);
    network.selectNodes([id]);
    highlight(id);
    if (zoom !== false) {
      network.focus(id, { scale: Math.max(network.getScale(), 1.3),
        animation: { duration: 400, easingFunction: "easeInOutQuad" } });
    }
    showNode(id);
  }

  function runSearch() {
    var id = find(search.value);
    search.classList.toggle("kg-notfound", id === null && search.value.trim() !== "");
    status.textContent = id === null ? (search.value.trim() ? "No entity of that name." : "") : "";
    if (id !== null) { focusNode(id); }
  }
  search.addEventListener("change", runSearch);
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); runSearch(); }
  });

  /* ---- the entity table: sortable, filtered by name, a click focuses the entity ---- */
  var TABLE_ROWS = 300;
  var table = document.getElementById("kg-table");
  var tbody = table.querySelector("tbody");
  var tableFilter = document.getElementById("kg-table-filter");
  var tableStatus = document.getElementById("kg-table-status");
  var sortKey = "deg";
  var sortDown = true;
  function communityName(n) { return n.comm >= 0 ? data.communities[n.comm].name : ""; }
  var rows = data.nodes.map(function (n) {
    return {
      id: n.id, label: n.label, cls: n.cls, deg: n.deg, ndocs: n.docs.length,
      community: communityName(n),
      text: [n.label, n.cls, communityName(n)].concat(n.aliases).join("\n").toLowerCase()
    };
  });

  function compareRows(a, b) {
    var x = a[sortKey];
    var y = b[sortKey];
    var c = typeof x === "number" ? x - y : x.localeCompare(y);
    return (sortDown ? -c : c) || b.deg - a.deg || a.label.localeCompare(b.label) || a.id - b.id;
  }

  function fillTable() {
    var q = tableFilter.value.trim().toLowerCase();
    var chosen = q ? rows.filter(function (r) { return r.text.indexOf(q) >= 0; }) : rows.slice();
    chosen.sort(compareRows);
    var part = document.createDocumentFragment();
    chosen.slice(0, TABLE_ROWS).forEach(function (r) {
      var tr = el("tr", null, r.id === selected ? "kg-row-selected" : null);
      tr.setAttribute("data-id", String(r.id));
      var name = el("td", null, "kg-cell-name");
      var swatch = el("span", null, "kg-swatch");
      swatch.style.background = colourOf(byId[r.id], colourBy);
      name.appendChild(swatch);
      name.appendChild(document.createTextNode(r.label));
      tr.appendChild(name);
      tr.appendChild(el("td", r.cls));
      tr.appendChild(el("td", r.deg, "kg-num"));
      tr.appendChild(el("td", r.ndocs, "kg-num"));
      tr.appendChild(el("td", r.community, "kg-cell-community"));
      part.appendChild(tr);
    });
    while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
    tbody.appendChild(part);
    tableStatus.textContent = chosen.length > TABLE_ROWS
      ? "The first " + TABLE_ROWS + " of " + chosen.length.toLocaleString("en") +
        " entities; filter to find the others."
      : chosen.length.toLocaleString("en") + (chosen.length === 1 ? " entity" : " entities");
    Array.prototype.forEach.call(table.querySelectorAll("th"), function (th) {
      var key = th.getAttribute("data-sort");
      th.setAttribute("aria-sort", key === sortKey ? (sortDown ? "descending" : "ascending") : "none");
    });
  }

  function markRow(id) {
    Array.prototype.forEach.call(tbody.querySelectorAll("tr.kg-row-selected"), function (tr) {
      tr.classList.remove("kg-row-selected");
    });
    if (id !== null) {
      var tr = tbody.querySelector("tr[data-id='" + id + "']");
      if (tr) { tr.classList.add("kg-row-selected"); }
    }
  }

  Array.prototype.forEach.call(table.querySelectorAll("th"), function (th) {
    th.tabIndex = 0;
    function sortBy() {
      var key = th.getAttribute("data-sort");
      if (key === sortKey) { sortDown = !sortDown; }
      else { sortKey = key; sortDown = key === "deg" || key === "ndocs"; }
      fillTable();
    }
    th.addEventListener("click", sortBy);
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(); }
    });
  });
  tableFilter.addEventListener("input", fillTable);
  tbody.addEventListener("click", function (event) {
    var tr = event.target.closest("tr");
    if (tr) { focusNode(Number(tr.getAttribute("data-id"))); }
  });
  fillTable();

  /* ---- first draw ---- */
  fitAll();
  network.once("afterDrawing", function () {
    // The first frame is drawn fitted: record when, for the benchmark and the browser tests.
    window.kgReady = performance.now();
    document.documentElement.setAttribute("data-kg-ready", "true");
  });
  if (data.focus !== null && data.focus !== undefined && byId[data.focus]) {
    focusNode(data.focus, false);
  }

  // A handle for tests and for people exploring in the browser's console.
  window.kgView = Object.freeze({
    network: network,
    nodes: nodes,
    edges: edges,
    shownNodes: nodeView,
    shownEdges: edgeView,
    focus: focusNode,
    find: find,
    colourBy: setColourBy,
    labels: function () { return placedLabels.slice(); }
  });
})();

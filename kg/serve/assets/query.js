// kg serve: the query page. Sends the query to /sparql and draws the answer.
// Everything the server returns is written with textContent, never as HTML.
"use strict";

(function () {
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const run = document.getElementById("run");
  const status = document.getElementById("status");
  const errorBox = document.getElementById("error");
  const results = document.getElementById("results");
  const prefixes = Object.entries(JSON.parse(document.getElementById("kg-prefixes").textContent))
    .sort((a, b) => b[1].length - a[1].length);
  const XSD = "http://www.w3.org/2001/XMLSchema#";

  function shorten(iri) {
    for (const [prefix, ns] of prefixes) {
      if (ns && iri.startsWith(ns) && !/[\s<>"{}|^`\\]/.test(iri.slice(ns.length))) {
        return prefix + ":" + iri.slice(ns.length);
      }
    }
    return "<" + iri + ">";
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function cell(term) {
    const td = element("td");
    if (!term) return td;
    if (term.type === "uri") {
      td.textContent = shorten(term.value);
      td.title = term.value;
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.className = "literal";
      td.appendChild(document.createTextNode(term.value));
      if (term["xml:lang"]) td.appendChild(element("span", "@" + term["xml:lang"], "type"));
      else if (term.datatype && term.datatype !== XSD + "string") {
        td.appendChild(element("span", shorten(term.datatype), "type"));
      }
    }
    return td;
  }

  function drawRows(data) {
    results.replaceChildren();
    if (typeof data.boolean === "boolean") {
      results.appendChild(element("p", data.boolean ? "true" : "false"));
      return "ASK: " + data.boolean;
    }
    const vars = data.head.vars || [];
    const rows = data.results.bindings || [];
    const table = element("table");
    const head = element("tr");
    for (const name of vars) head.appendChild(element("th", "?" + name));
    table.appendChild(element("thead")).appendChild(head);
    const body = table.appendChild(element("tbody"));
    for (const row of rows) {
      const tr = element("tr");
      for (const name of vars) tr.appendChild(cell(row[name]));
      body.appendChild(tr);
    }
    results.appendChild(table);
    return rows.length.toLocaleString() + (rows.length === 1 ? " row" : " rows");
  }

  function drawGraph(text) {
    results.replaceChildren(element("pre", text, "graph"));
    const triples = text.split("\n").filter((line) => line.trim().endsWith(".")).length;
    return "graph (Turtle)" + (triples ? "" : ", empty");
  }

  function link(format) {
    return "/sparql?" + new URLSearchParams({ query: textarea.value, format }).toString();
  }

  function refreshLinks() {
    for (const format of ["json", "csv", "tsv", "turtle"]) {
      document.getElementById("dl-" + format).href = link(format);
    }
  }

  async function execute(event) {
    if (event) event.preventDefault();
    run.disabled = true;
    errorBox.hidden = true;
    status.textContent = "running…";
    const started = performance.now();
    try {
      const response = await fetch("/sparql", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: new URLSearchParams({ query: textarea.value }),
      });
      const type = response.headers.get("Content-Type") || "";
      const text = await response.text();
      if (!response.ok) throw new Error(text.trim() || response.statusText);
      const what = type.startsWith("application/sparql-results+json")
        ? drawRows(JSON.parse(text))
        : drawGraph(text);
      status.textContent = what + " in " + Math.round(performance.now() - started) + " ms";
    } catch (err) {
      results.replaceChildren();
      errorBox.textContent = err.message;
      errorBox.hidden = false;
      status.textContent = "";
    } finally {
      run.disabled = false;
    }
  }

  form.addEventListener("submit", execute);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) execute(event);
  });
  textarea.addEventListener("input", refreshLinks);
  refreshLinks();
})();

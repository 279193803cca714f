// The HTML report's script: reads the report data embedded in the page and builds the
// customer, deadline, findings and waived/baseline tables. Values from the report are only
// ever set as text or as attributes, never parsed as markup.
"use strict";
(function () {
  const RANK = { error: 3, warning: 2, info: 1 };

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") el.className = value;
      else el.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child !== null && child !== undefined && child !== "") el.append(child);
    }
    return el;
  }

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  async function loadData() {
    const el = document.getElementById("report-data");
    if (el.dataset.encoding === "deflate-base64") {
      const bytes = Uint8Array.from(atob(el.textContent.trim()), (c) => c.charCodeAt(0));
      const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
      return JSON.parse(await new Response(stream).text());
    }
    return JSON.parse(el.textContent);
  }

  function compare(a, b) {
    if (Array.isArray(a)) {
      for (let i = 0; i < a.length; i++) {
        const c = compare(a[i], b[i]);
        if (c) return c;
      }
      return 0;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }

  // Every table, so that printing can show all their rows.
  const tables = [];
  const printQuery = window.matchMedia("print");
  let printing = printQuery.matches;

  function setPrinting(value) {
    printing = value;
    for (const table of tables) table.layout();
  }
  printQuery.addEventListener("change", (e) => setPrinting(e.matches));
  window.addEventListener("beforeprint", () => setPrinting(true));
  window.addEventListener("afterprint", () => setPrinting(printQuery.matches));

  // A table whose column headers sort it (buttons, so that the keyboard can) and whose rows
  // can be filtered. Only the first `limit` rows that pass the filter are in the page, more
  // on request and all when printed: a browser takes seconds to lay out thousands of rows,
  // so rows are made when first shown.
  function makeTable({ name, caption, columns, rows, limit, empty, rowId, sortFirst }) {
    const wrap = h("div", { class: "scroll" });
    if (!rows.length) {
      wrap.append(h("p", { class: "empty" }, empty));
      return { wrap, filter: () => 0, reveal() {} };
    }
    const table = h("table", { class: "data", "data-name": name });
    table.append(h("caption", { class: "visually-hidden" }, caption));
    const headRow = h("tr");
    const heads = columns.map((col, i) => {
      const th = h("th", { scope: "col", class: col.cls });
      if (col.sort) {
        const button = h("button", { type: "button", class: "sort" }, col.label,
          h("span", { class: "sort-mark", "aria-hidden": "true" }));
        button.addEventListener("click", () => sortBy(i));
        th.setAttribute("aria-sort", "none");
        th.append(button);
      } else {
        th.append(col.label);
      }
      headRow.append(th);
      return th;
    });
    const tbody = h("tbody");
    table.append(h("thead", null, headRow), tbody);
    const more = h("button", { type: "button", class: "more" });
    wrap.append(table, more);
    const items = rows.map((row, index) => ({ row, index, tr: null }));
    let order = items;
    let sorted = -1;
    let direction = 1;
    let predicate = () => true;
    let shownLimit = limit || Infinity;
    let shown = [];

    function rowOf(item) {
      if (!item.tr) {
        item.tr = h("tr", rowId ? { id: rowId(item.row), tabindex: "-1" } : null);
        for (const col of columns) item.tr.append(h("td", { class: col.cls }, col.cell(item.row)));
      }
      return item.tr;
    }

    function layout() {
      shown = order.filter((item) => predicate(item.row));
      const count = printing ? shown.length : Math.min(shown.length, shownLimit);
      const fragment = document.createDocumentFragment();
      for (let i = 0; i < count; i++) fragment.append(rowOf(shown[i]));
      tbody.replaceChildren(fragment);
      more.hidden = count >= shown.length;
      more.textContent = "Show " + Math.min(limit, shown.length - count) + " more (" + count
        + " of " + shown.length + " shown)";
      return shown.length;
    }

    function sortBy(i) {
      const col = columns[i];
      direction = sorted === i ? -direction : col.descending ? -1 : 1;
      sorted = i;
      order = items.slice().sort(
        (a, b) => direction * compare(col.sort(a.row), col.sort(b.row)) || a.index - b.index);
      heads.forEach((th, j) => {
        if (columns[j].sort) {
          th.setAttribute("aria-sort",
            j !== i ? "none" : direction > 0 ? "ascending" : "descending");
        }
      });
      layout();
    }

    more.addEventListener("click", () => {
      shownLimit += limit;
      layout();
    });
    const api = {
      wrap,
      layout,
      filter(test) {
        predicate = test;
        return layout();
      },
      // Makes sure the row of `row` is in the page (when it passes the filter).
      reveal(row) {
        const at = shown.findIndex((item) => item.row === row);
        if (at >= shownLimit) {
          shownLimit = (Math.floor(at / limit) + 1) * limit;
          layout();
        }
      },
    };
    tables.push(api);
    if (sortFirst === undefined) layout();
    else sortBy(sortFirst);
    return api;
  }

  function badge(severity) {
    return h("span", { class: "badge badge-" + severity }, severity);
  }

  function place(f) {
    if (!f.line) return f.file;
    return f.file + ":" + f.line + (f.column ? ":" + f.column : "");
  }

  // Code that may break after each "/" (paths and JSON pointers), never inside a name.
  function path(text) {
    const code = h("code");
    text.split("/").forEach((part, i) => {
      if (i) code.append("/", h("wbr"));
      code.append(part);
    });
    return code;
  }

  function guidance(rule, id) {
    const url = rule && rule.guidanceUrl;
    if (url && /^https?:\/\//.test(url)) {
      return h("a", { href: url, rel: "noreferrer", title: rule.guidance || null },
        "Microsoft guidance");
    }
    return h("code", { title: (rule && rule.guidance) || null }, "checker explain " + id);
  }

  function build(data) {
    const rules = data.rules;
    const concernLabel = (rule) => {
      const key = (rules[rule] && rules[rule].concern) || "other";
      return data.concerns[key] || key;
    };
    const findings = data.findings.map((f, index) => {
      const rule = rules[f.rule] || {};
      return Object.assign({}, f, {
        index,
        title: f.title !== undefined ? f.title : rule.title || "",
        remediation: f.remediation !== undefined ? f.remediation : rule.remediation || "",
        concern: concernLabel(f.rule),
        haystack: [f.rule, f.title !== undefined ? f.title : rule.title, f.message,
          f.file, f.pointer, f.customer, f.subscription, f.waiver && f.waiver.owner,
          f.waiver && f.waiver.ticket].join("\n").toLowerCase(),
      });
    });
    const open = findings.filter((f) => f.state === "open");
    const suppressed = findings.filter((f) => f.state !== "open");
    const names = new Map(data.customers.map((c) => [c.file + "\n" + c.customer, c.name]));
    const slot = (name) => document.querySelector('[data-table="' + name + '"]');

    const ruleCell = (f) => h("div", null, h("strong", null, f.rule),
      h("div", { class: "sub" }, f.title));
    const locationCell = (f) => h("div", null, path(place(f)),
      f.pointer ? h("div", { class: "sub" }, path(f.pointer)) : null);
    const messageCell = (f) => h("div", null, h("p", { class: "message" }, f.message),
      f.remediation ? h("p", { class: "fix" }, h("span", { class: "fix-label" }, "Fix: "),
        f.remediation) : null);
    const columns = [
      { label: "Severity", cls: "col-severity", cell: (f) => badge(f.severity),
        sort: (f) => [RANK[f.severity], -f.index], descending: true },
      { label: "Rule", cls: "col-rule", cell: ruleCell, sort: (f) => [f.rule, f.index] },
      { label: "Concern", cls: "col-concern", cell: (f) => f.concern,
        sort: (f) => [f.concern, f.index] },
      { label: "Location", cls: "col-location", cell: locationCell,
        sort: (f) => [f.file, f.line, f.column, f.pointer] },
      { label: "Message and fix", cls: "col-message", cell: messageCell,
        sort: (f) => [f.message.toLowerCase(), f.index] },
      { label: "Guidance", cls: "col-guidance", cell: (f) => guidance(rules[f.rule], f.rule) },
    ];
    const findingsTable = makeTable({
      name: "findings", caption: "Open findings", columns, rows: open,
      empty: "No open findings.", rowId: (f) => "finding-" + f.index, sortFirst: 0, limit: 500,
    });
    slot("findings").append(findingsTable.wrap);

    const waiverColumns = [
      { label: "State", cls: "col-state", cell: (f) => h("span", { class: "state" }, f.state),
        sort: (f) => [f.state, f.index] },
      columns[0], columns[1], columns[3],
      { label: "Message", cls: "col-message", cell: (f) => f.message,
        sort: (f) => [f.message.toLowerCase(), f.index] },
      { label: "Owner", cls: "col-owner", cell: (f) => f.waiver.owner || "—",
        sort: (f) => [f.waiver.owner, f.index] },
      { label: "Expires", cls: "col-expires", cell: (f) => f.waiver.expires || "—",
        sort: (f) => [f.waiver.expires, f.index] },
      { label: "Ticket and reason", cls: "col-note",
        cell: (f) => h("div", null, f.waiver.ticket ? h("strong", null, f.waiver.ticket) : null,
          f.waiver.approver ? h("div", { class: "sub" }, "approved by " + f.waiver.approver)
            : null, h("div", null, f.waiver.reason)) },
    ];
    const suppressedTable = makeTable({
      name: "suppressed", caption: "Waived and baseline findings", columns: waiverColumns,
      rows: suppressed, empty: "No waived or baseline findings.", limit: 500,
      rowId: (f) => "finding-" + f.index,
    });
    slot("suppressed").append(suppressedTable.wrap);

    const controls = {
      severity: document.getElementById("filter-severity"),
      rule: document.getElementById("filter-rule"),
      concern: document.getElementById("filter-concern"),
      file: document.getElementById("filter-file"),
      text: document.getElementById("filter-text"),
    };
    const distinct = (values) => [...new Set(values)].sort();
    for (const s of ["error", "warning", "info"]) {
      if (findings.some((f) => f.severity === s)) {
        controls.severity.append(h("option", { value: s }, s));
      }
    }
    for (const id of distinct(findings.map((f) => f.rule))) {
      const title = rules[id] ? rules[id].title : "";
      controls.rule.append(h("option", { value: id }, title ? id + " — " + title : id));
    }
    for (const c of distinct(findings.map((f) => f.concern))) {
      controls.concern.append(h("option", { value: c }, c));
    }
    for (const file of distinct(findings.map((f) => f.file))) {
      controls.file.append(h("option", { value: file }, file));
    }
    const shown = document.getElementById("findings-shown");

    function applyFilters() {
      const want = {
        severity: controls.severity.value, rule: controls.rule.value,
        concern: controls.concern.value, file: controls.file.value,
        text: controls.text.value.trim().toLowerCase(),
      };
      const test = (f) => (!want.severity || f.severity === want.severity)
        && (!want.rule || f.rule === want.rule)
        && (!want.concern || f.concern === want.concern)
        && (!want.file || f.file === want.file)
        && (!want.text || f.haystack.includes(want.text));
      const a = findingsTable.filter(test);
      const b = suppressedTable.filter(test);
      shown.textContent = "Showing " + a + " of " + plural(open.length, "open finding")
        + "; " + b + " of " + suppressed.length + " waived or baseline.";
      shown.dataset.open = String(a);
    }
    for (const control of Object.values(controls)) {
      control.addEventListener(control.tagName === "INPUT" ? "input" : "change", applyFilters);
    }
    // The reset event comes before the controls are reset.
    document.getElementById("filters").addEventListener("reset", () => setTimeout(applyFilters));
    document.getElementById("filters").addEventListener("submit", (e) => e.preventDefault());
    applyFilters();

    function clearFilters() {
      for (const control of Object.values(controls)) control.value = "";
    }

    function showFinding(index) {
      clearFilters();
      applyFilters();
      findingsTable.reveal(findings[index]);
      suppressedTable.reveal(findings[index]);
      const row = document.getElementById("finding-" + index);
      if (row) {
        row.scrollIntoView({ block: "center" });
        row.focus();
      }
    }

    function showCustomer(customer) {
      clearFilters();
      controls.text.value = customer;
      applyFilters();
      document.getElementById("findings").scrollIntoView();
      controls.text.focus();
    }

    const customerColumns = [
      { label: "#", cls: "num", cell: (c) => String(c.rank), sort: (c) => c.rank },
      { label: "Customer", cls: "col-customer",
        cell: (c) => h("div", null, h("strong", null, c.name),
          h("div", { class: "sub" }, h("code", null, c.customer))),
        sort: (c) => [c.name.toLowerCase(), c.rank] },
      { label: "Document", cls: "col-file", cell: (c) => path(c.file),
        sort: (c) => [c.file, c.rank] },
      { label: "Worst", cls: "col-severity", cell: (c) => badge(c.worst),
        sort: (c) => [RANK[c.worst], -c.rank], descending: true },
      { label: "Open findings", cls: "col-counts",
        cell: (c) => ["error", "warning", "info"].filter((s) => c[s])
          .map((s) => plural(c[s], s)).join(", "),
        sort: (c) => [-(c.error + c.warning + c.info), c.rank], descending: false },
      { label: "Days past due", cls: "num",
        cell: (c) => (c.daysPastDue ? String(c.daysPastDue) : "—"),
        sort: (c) => [-c.daysPastDue, c.rank] },
      { label: "Amount past due", cls: "num", cell: (c) => c.amountPastDue || "—",
        sort: (c) => [-parseFloat(c.amountPastDue || "0"), c.rank] },
      { label: "Rules", cls: "col-rules", cell: (c) => c.rules.join(", ") },
      { label: "", cls: "col-action",
        cell: (c) => {
          const b = h("button", { type: "button", class: "link" }, "Findings");
          b.setAttribute("aria-label", "Show the findings of " + c.name);
          b.addEventListener("click", () => showCustomer(c.customer));
          return b;
        } },
    ];
    const customers = data.customers.map((c, i) => Object.assign({ rank: i + 1 }, c));
    const hasAmounts = customers.some((c) => c.amountPastDue);
    slot("customers").append(makeTable({
      name: "customers", caption: "Customers ranked by risk",
      columns: customerColumns.filter((col) => hasAmounts || col.label !== "Amount past due"),
      rows: customers, limit: 25, empty: "No customer has an open finding.",
    }).wrap);

    const when = (d) => (d.days < 0 ? plural(-d.days, "day") + " late"
      : d.days === 0 ? "due on the as-of date" : "in " + plural(d.days, "day"));
    const deadlines = data.deadlines.map((d, i) => {
      const f = findings[d.finding];
      return Object.assign({ order: i, f, name: names.get(f.file + "\n" + f.customer) || "" }, d);
    });
    const deadlineColumns = [
      { label: "Due (UTC)", cls: "col-due", cell: (d) => d.due.slice(0, 16).replace("T", " "),
        sort: (d) => [d.due, d.order] },
      { label: "When", cls: "col-when",
        cell: (d) => h("span", { class: d.days < 0 ? "late" : "soon" }, when(d)),
        sort: (d) => [d.days, d.order] },
      { label: "What", cls: "col-kind", cell: (d) => h("div", null, h("strong", null, d.kind),
        h("div", { class: "sub" }, d.action)), sort: (d) => [d.kind, d.order] },
      { label: "Customer", cls: "col-customer",
        cell: (d) => (d.f.customer ? h("div", null, d.name || d.f.customer,
          d.f.subscription ? h("div", { class: "sub" }, h("code", null, d.f.subscription)) : null)
          : "partner"),
        sort: (d) => [d.name.toLowerCase(), d.order] },
      { label: "Rule", cls: "col-rule", cell: (d) => d.f.rule, sort: (d) => [d.f.rule, d.order] },
      { label: "", cls: "col-action",
        cell: (d) => {
          const a = h("a", { href: "#finding-" + d.finding }, "Finding");
          a.addEventListener("click", (e) => {
            e.preventDefault();
            showFinding(d.finding);
          });
          return a;
        } },
    ];
    slot("deadlines").append(makeTable({
      name: "deadlines", caption: "Deadlines, earliest first", columns: deadlineColumns,
      rows: deadlines, limit: 25, empty: "No open finding sets a deadline.",
    }).wrap);

    document.body.dataset.ready = "true";
  }

  loadData().then(build).catch((error) => {
    document.body.dataset.ready = "error";
    const main = document.querySelector("main");
    main.prepend(h("p", { class: "noscript", role: "alert" },
      "The report data could not be read: " + error));
    throw error;
  });
})();

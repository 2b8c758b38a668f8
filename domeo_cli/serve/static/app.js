// The AR team's page: reads domeo's JSON API and draws it. No framework, no build step, nothing fetched
// from elsewhere. Amounts stay the API's exact strings; sums are done in integer cents (BigInt), and
// floats are used only for the geometry of the charts.
"use strict";

const PAGE = 20;
const state = { asOf: "", offset: 0, sort: "due_date.asc", token: sessionStorage.getItem("domeo-token") || "" };

const $ = (selector) => document.querySelector(selector);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// "1234567.89" -> "1,234,567.89" (text only: the figure itself is the API's).
function money(text) {
  const [whole, cents] = text.split(".");
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + cents;
}

const cents = (text) => BigInt(text.replace(".", ""));

function fromCents(value) {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(3, "0");
  return (negative ? "-" : "") + digits.slice(0, -2) + "." + digits.slice(-2);
}

class Unauthorized extends Error {}

async function api(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== "" && value !== null && value !== undefined) query.set(key, value);
  }
  const url = query.toString() ? `${path}?${query}` : path;
  const headers = state.token ? { Authorization: `Bearer ${state.token}` } : {};
  const response = await fetch(url, { headers });
  const body = await response.json();
  if (response.status === 401) {
    $("#token-form").hidden = false;
    throw new Unauthorized(body.error.message);
  }
  if (!response.ok) {
    const error = new Error(body.error ? body.error.message : `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

function showError(err) {
  if (err instanceof Unauthorized) return;
  const box = $("#error");
  box.textContent = err.message;
  box.hidden = false;
}

// -- open AR, past due and the aging chart --------------------------------------------------------------

async function loadTotals() {
  const aging = await api("/aging", { as_of: state.asOf, by: "currency" });
  const past = await api("/invoices/past-due", { as_of: state.asOf, limit: 1 });
  $("#note").textContent = `As of ${aging.as_of}. Balances are those of the loads made so far.`;
  if (!state.asOf) $("#asof").value = aging.as_of;
  const cards = $("#totals");
  cards.replaceChildren();
  if (aging.totals.length === 0) cards.append(el("p", { class: "empty" }, "No open invoices."));
  for (const total of aging.totals) {
    const late = fromCents(cents(total.total) - cents(total.current));
    cards.append(
      el(
        "div",
        { class: "card", "data-currency": total.currency },
        el("div", { class: "currency" }, total.currency),
        el("div", { class: "label" }, "Open AR"),
        el("div", { class: "figure open" }, money(total.total)),
        el("div", { class: "label" }, "Past due"),
        el("div", { class: "figure late pastdue" }, money(late)),
        el("div", { class: "label" }, `${total.invoices} open invoices`),
      ),
    );
  }
  cards.append(el("p", { class: "label", id: "pastdue-count" }, `${past.total} invoices past due in all currencies.`));
  const charts = $("#aging");
  charts.replaceChildren();
  for (const total of aging.totals) {
    const values = aging.buckets.map((name) => total[name]);
    charts.append(barChart(`${total.currency}`, aging.buckets, values, (i) => i > 0, total.currency));
  }
}

// A bar chart in SVG: one bar per label, its exact amount written above it.
function barChart(title, labels, values, isLate, currency, width = 560) {
  const height = 190;
  const top = 22;
  const bottom = 26;
  const gap = 10;
  const numbers = values.map((v) => Number(v));
  const highest = Math.max(...numbers, 0.01);
  const slot = width / labels.length;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${title} chart` });
  chart.append(svg("line", { class: "axis", x1: 0, x2: width, y1: height - bottom, y2: height - bottom }));
  labels.forEach((label, i) => {
    const barHeight = ((height - top - bottom) * numbers[i]) / highest;
    const x = i * slot + gap / 2;
    const y = height - bottom - barHeight;
    const bar = svg("rect", {
      class: isLate(i) ? "bar late" : "bar",
      x,
      y,
      width: slot - gap,
      height: Math.max(barHeight, 0),
      "data-label": label,
      "data-value": values[i],
    });
    bar.append(svg("title", {}, `${label}: ${money(values[i])} ${currency}`));
    chart.append(bar);
    chart.append(svg("text", { class: "value", x: x + (slot - gap) / 2, y: y - 5, "text-anchor": "middle" }, money(values[i])));
    chart.append(svg("text", { x: x + (slot - gap) / 2, y: height - 8, "text-anchor": "middle" }, label));
  });
  return el("div", { class: "chart", "data-currency": currency }, el("h3", {}, title), chart);
}

// -- the past-due list ---------------------------------------------------------------------------------

async function loadPastDue() {
  const page = await api("/invoices/past-due", {
    as_of: state.asOf,
    limit: PAGE,
    offset: state.offset,
    sort: state.sort,
  });
  const rows = page.items.map((item) =>
    el(
      "tr",
      { "data-invoice": item.invoice_number },
      el("td", {}, item.invoice_number),
      el("td", {}, item.customer_name),
      el("td", {}, item.due_date),
      el("td", { class: "num" }, item.days_past_due),
      el("td", { class: "num" }, money(item.outstanding)),
      el("td", {}, item.currency),
    ),
  );
  $("#pastdue tbody").replaceChildren(...rows);
  const pages = Math.max(1, Math.ceil(page.total / PAGE));
  const current = Math.floor(state.offset / PAGE) + 1;
  $("#pd-page").textContent = `Page ${current} of ${pages} (${page.total} invoices)`;
  $("#pd-prev").disabled = state.offset === 0;
  $("#pd-next").disabled = state.offset + PAGE >= page.total;
}

// -- billing month by month ----------------------------------------------------------------------------

function monthsBack(asOf, count) {
  const [year, month] = asOf.split("-").map(Number);
  const first = new Date(Date.UTC(year, month - 1 - (count - 1), 1));
  const pad = (n) => String(n).padStart(2, "0");
  return [`${first.getUTCFullYear()}-${pad(first.getUTCMonth() + 1)}`, `${year}-${pad(month)}`];
}

async function loadBilling() {
  const asOf = state.asOf || $("#asof").value || new Date().toISOString().slice(0, 10);
  const [first, last] = monthsBack(asOf, 12);
  const series = await api("/invoices/summary/range", { from: first, to: last });
  $("#billing-range").textContent = `(${series.from} to ${series.to})`;
  const charts = $("#billing");
  charts.replaceChildren();
  for (const total of series.by_currency) {
    const months = series.months.filter((m) => m.currency === total.currency);
    const title = `${total.currency}: ${money(total.sum_bill_total)} billed in ${total.count_invoices} invoices`;
    charts.append(
      barChart(
        title,
        months.map((m) => m.month),
        months.map((m) => m.sum_bill_total),
        () => false,
        total.currency,
        1100,
      ),
    );
  }
}

// -- what falls due, week by week -----------------------------------------------------------------------

async function loadForecast() {
  const forecast = await api("/forecast", { as_of: state.asOf, weeks: 8 });
  $("#forecast-range").textContent = `(as of ${forecast.as_of}, ${forecast.weeks} weeks)`;
  const body = $("#forecast tbody");
  body.replaceChildren();
  for (const row of forecast.rows) {
    const due = row.week === null ? `Overdue (before ${forecast.as_of})` : `Week ${row.week}: ${row.due_from} to ${row.due_to}`;
    body.append(
      el(
        "tr",
        { "data-currency": row.currency },
        el("td", {}, row.currency),
        el("td", {}, due),
        el("td", { class: "num" }, row.invoices),
        el("td", { class: "num" }, money(row.outstanding)),
      ),
    );
  }
  if (forecast.rows.length === 0) body.append(el("tr", {}, el("td", { class: "empty", colSpan: 4 }, "Nothing open.")));
}

// -- customer search -----------------------------------------------------------------------------------

async function search(text) {
  const found = await api("/customers", { as_of: state.asOf, search: text, limit: 12, sort: "open" });
  const list = $("#customer-results");
  list.replaceChildren();
  $("#customer-detail").replaceChildren();
  if (found.customers.length === 0) {
    list.append(el("li", { class: "empty" }, `No customer's name contains "${text}".`));
    return;
  }
  for (const customer of found.customers) {
    const button = el("button", { type: "button", "data-name": customer.name }, customer.name);
    button.addEventListener("click", () => showCustomer(customer, button).catch(showError));
    list.append(el("li", {}, button));
  }
  await showCustomer(found.customers[0], list.querySelector("button"));
}

async function showCustomer(customer, button) {
  for (const other of document.querySelectorAll("#customer-results button")) other.classList.remove("chosen");
  button.classList.add("chosen");
  const [contacts, statement] = await Promise.all([
    api("/customers/contact", { name: customer.name, limit: 20 }),
    api("/customers/statement", { name: customer.name, as_of: state.asOf }),
  ]);
  const balances = el(
    "table",
    { class: "balances" },
    el("thead", {}, el("tr", {}, el("th", {}, "Currency"), el("th", { class: "num" }, "Open AR"), el("th", { class: "num" }, "Past due"))),
    el(
      "tbody",
      {},
      ...customer.balances.map((b) =>
        el("tr", {}, el("td", {}, b.currency), el("td", { class: "num" }, money(b.open_ar)), el("td", { class: "num" }, money(b.past_due))),
      ),
    ),
  );
  const people = contacts.contacts.length
    ? el(
        "table",
        { class: "contacts" },
        el("thead", {}, el("tr", {}, el("th", {}, "Contact"), el("th", {}, "Email"), el("th", {}, "Phone"), el("th", {}, "Last seen"))),
        el(
          "tbody",
          {},
          ...contacts.contacts.map((c) =>
            el(
              "tr",
              {},
              el("td", {}, c.contact_name || ""),
              el("td", {}, c.contact_email || ""),
              el("td", {}, c.contact_phone || ""),
              el("td", {}, c.last_seen_invoice_date || ""),
            ),
          ),
        ),
      )
    : el("p", { class: "empty" }, "No contact on this customer's invoices.");
  const aging = statement.totals.length
    ? el(
        "table",
        { class: "open-aging" },
        el("thead", {}, el("tr", {}, el("th", {}, "Cur."), ...statement.buckets.map((b) => el("th", { class: "num" }, b)), el("th", { class: "num" }, "Total"), el("th", { class: "num" }, "Invoices"))),
        el(
          "tbody",
          {},
          ...statement.totals.map((t) =>
            el(
              "tr",
              { "data-currency": t.currency },
              el("td", {}, t.currency),
              ...statement.buckets.map((b) => el("td", { class: "num" }, money(t[b]))),
              el("td", { class: "num total" }, money(t.total)),
              el("td", { class: "num count" }, t.invoices),
            ),
          ),
        ),
      )
    : el("p", { class: "empty" }, "No open invoices.");
  const invoices = statement.accounts.flatMap((account) => account.invoices);
  const open = invoices.length
    ? el(
        "table",
        { class: "open-invoices" },
        el("thead", {}, el("tr", {}, el("th", {}, "Invoice"), el("th", {}, "Date"), el("th", {}, "Due"), el("th", { class: "num" }, "Days late"), el("th", { class: "num" }, "Outstanding"), el("th", {}, "Cur."))),
        el(
          "tbody",
          {},
          ...invoices.map((i) =>
            el(
              "tr",
              { "data-invoice": i.invoice_number },
              el("td", {}, i.invoice_number),
              el("td", {}, i.invoice_date),
              el("td", {}, i.due_date),
              el("td", { class: "num" }, i.days_past_due),
              el("td", { class: "num" }, money(i.outstanding)),
              el("td", {}, i.currency),
            ),
          ),
        ),
      )
    : el("p", { class: "empty" }, "No open invoices.");
  $("#customer-detail").replaceChildren(
    el("h3", { id: "customer-name" }, `${contacts.customer_name}${customer.customer_number ? ` (no. ${customer.customer_number})` : ""}`),
    el(
      "div",
      { class: "grid" },
      el("div", {}, el("h3", {}, "Balances"), balances),
      el("div", {}, el("h3", {}, `Contacts (${contacts.total})`), people),
      el("div", { class: "full" }, el("h3", {}, `Open balance by days past due, as of ${statement.as_of}`), aging),
      el("div", { class: "full" }, el("h3", {}, `Open invoices (${invoices.length})`), open),
    ),
  );
}

// -- wiring --------------------------------------------------------------------------------------------

async function loadAll() {
  $("#error").hidden = true;
  try {
    await loadTotals();
    await Promise.all([loadPastDue(), loadBilling(), loadForecast()]);
    document.body.dataset.ready = "yes";
  } catch (err) {
    showError(err);
  }
}

function start() {
  const params = new URLSearchParams(location.search);
  state.asOf = params.get("as_of") || "";
  $("#asof").value = state.asOf;
  $("#asof-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.asOf = $("#asof").value;
    state.offset = 0;
    history.replaceState(null, "", state.asOf ? `?as_of=${state.asOf}` : location.pathname);
    loadAll();
  });
  $("#token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.token = $("#token").value.trim();
    sessionStorage.setItem("domeo-token", state.token);
    $("#token-form").hidden = true;
    loadAll();
  });
  $("#pd-sort").addEventListener("change", () => {
    state.sort = $("#pd-sort").value;
    state.offset = 0;
    loadPastDue().catch(showError);
  });
  $("#pd-prev").addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - PAGE);
    loadPastDue().catch(showError);
  });
  $("#pd-next").addEventListener("click", () => {
    state.offset += PAGE;
    loadPastDue().catch(showError);
  });
  $("#search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search($("#search").value.trim()).catch(showError);
  });
  loadAll();
}

start();

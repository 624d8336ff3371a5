// The order page: Auto-recognition, Add SKU with available stock, and the shipping-method quote.
(() => {
  const form = document.getElementById("order-form");
  if (!form) return;
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const lineBody = document.querySelector("#line-table tbody");
  const el = (tag, attrs = {}, text = "") => {
    const node = document.createElement(tag);
    Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
    if (text) node.textContent = text;
    return node;
  };
  const post = (url, data) => fetch(url, { method: "POST", headers: { "X-CSRFToken": csrf }, body: data })
    .then((r) => r.json().then((body) => ({ ok: r.ok, body })));

  // --- Auto-recognition ---
  const result = document.getElementById("recognize-result");
  document.getElementById("recognize-button").addEventListener("click", () => {
    const data = new FormData();
    data.append("text", document.getElementById("recognize-text").value);
    result.textContent = "Reading the address…";
    post(form.dataset.recognizeUrl, data).then(({ ok, body }) => {
      if (!ok) { result.textContent = body.message; return; }
      const filled = [];
      Object.entries(body.fields).forEach(([name, value]) => {
        const input = form.querySelector(`[name=${name}]`);
        if (input && value) { input.value = value; input.classList.add("border-success"); filled.push(name); }
      });
      result.replaceChildren();
      result.append(el("div", { class: "text-success" },
        filled.length ? `Filled in ${filled.length} field(s): check them before you save.` : "Nothing could be recognized."));
      if (body.leftover.length) {
        const left = el("div", { class: "text-warning-emphasis", "data-testid": "recognize-leftover" },
          "Not placed (copy it where it belongs): ");
        left.append(el("code", {}, body.leftover.join(" | ")));
        result.append(left);
      }
    });
  });

  // --- SKU lines ---
  const addLine = (sku, quantity = "1") => {
    const existing = [...lineBody.querySelectorAll("input[name=sku]")].find((i) => i.value.toLowerCase() === sku.toLowerCase());
    if (existing) { const q = existing.closest("tr").querySelector("input[name=quantity]"); q.value = (parseInt(q.value, 10) || 0) + 1; return; }
    let row = [...lineBody.rows].find((r) => !r.querySelector("input[name=sku]").value);
    if (!row) { row = lineBody.rows[0].cloneNode(true); lineBody.appendChild(row); }
    row.querySelector("input[name=sku]").value = sku;
    row.querySelector("input[name=quantity]").value = quantity;
    row.querySelector("input[name=quantity]").focus();
  };
  lineBody.addEventListener("click", (event) => {
    const button = event.target.closest("[data-remove-line]");
    if (!button) return;
    const row = button.closest("tr");
    if (lineBody.rows.length > 1) row.remove(); else row.querySelectorAll("input").forEach((i) => { i.value = ""; });
  });
  const results = document.getElementById("sku-results");
  const search = () => {
    const params = new URLSearchParams({ q: document.getElementById("sku-search").value, warehouse: form.querySelector("[name=warehouse]").value });
    fetch(`${form.dataset.skuUrl}?${params}`).then((r) => r.json()).then((body) => {
      results.replaceChildren();
      if (!body.results.length) { results.append(el("div", { class: "list-group-item text-body-secondary" }, "No active SKU matches.")); return; }
      body.results.forEach((p) => {
        const item = el("button", { type: "button", class: "list-group-item list-group-item-action d-flex justify-content-between", "data-sku": p.sku });
        item.append(el("span", {}, `${p.sku} — ${p.name}`), el("span", { class: p.available > 0 ? "text-success" : "text-danger" }, `${p.available} available`));
        item.addEventListener("click", () => { addLine(p.sku); results.replaceChildren(); });
        results.append(item);
      });
    });
  };
  document.getElementById("sku-search-button").addEventListener("click", search);
  document.getElementById("sku-search").addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); search(); } });

  // --- Shipping method ---
  const quoteBox = document.getElementById("quote-result");
  const channelInput = form.querySelector("[name=channel]");
  const chosen = document.getElementById("channel-chosen");
  document.getElementById("quote-button").addEventListener("click", () => {
    const data = new FormData(form);
    quoteBox.textContent = "Getting prices…";
    post(form.dataset.quoteUrl, data).then(({ ok, body }) => {
      quoteBox.replaceChildren();
      if (!ok) { quoteBox.append(el("div", { class: "alert alert-warning small py-2" }, body.message)); return; }
      if (!body.options.length) { quoteBox.append(el("div", { class: "alert alert-warning small py-2" }, "No shipping method can take this parcel to this address.")); }
      const table = el("table", { class: "table table-sm small mb-2", "data-testid": "quote-table" });
      table.innerHTML = "<thead><tr><th></th><th>Method</th><th>Delivery</th><th class='text-end'>Estimated cost</th></tr></thead>";
      const tbody = el("tbody");
      body.options.forEach((o, i) => {
        const tr = el("tr");
        const radio = el("input", { type: "radio", name: "quote-choice", value: o.code, class: "form-check-input", "aria-label": o.name });
        if (channelInput.value === o.code) radio.checked = true;
        radio.addEventListener("change", () => {
          channelInput.value = o.code;
          chosen.replaceChildren("Chosen: ", el("strong", {}, `${o.name} (${o.total} ${o.currency})`));
        });
        const td = el("td"); td.append(radio);
        const method = el("td", {}, `${o.name}${i === 0 ? " · cheapest" : ""} `);
        method.append(el("span", { class: "small font-monospace text-body-secondary", title: "the code for the order template" }, o.code));
        tr.append(td, method, el("td", { "data-testid": "quote-days" }, o.transit_source === "measured" ? `${o.days} · measured` : o.days), el("td", { class: "text-end" }, `${o.total} ${o.currency}`));
        tbody.append(tr);
      });
      body.ineligible.forEach((o) => {
        const tr = el("tr", { class: "text-body-secondary" });
        tr.append(el("td"), el("td", {}, o.name), el("td", { colspan: "2" }, o.reason));
        tbody.append(tr);
      });
      table.append(tbody);
      quoteBox.append(table);
    });
  });
})();

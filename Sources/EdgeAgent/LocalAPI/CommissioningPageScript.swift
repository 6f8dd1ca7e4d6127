/// The commissioning page's script (see CommissioningPage.swift). Plain browser JavaScript, no libraries:
/// every value is written with textContent (never as HTML), the token stays in this tab's sessionStorage.
extension CommissioningPage {
    static let script = ##"""
    "use strict";
    const $ = (selector, root = document) => root.querySelector(selector);
    const page = { token: sessionStorage.getItem("edgeAgentToken") || "", simulated: false, stream: null,
                   emergency: false, refreshTimer: null };

    async function api(method, path, body) {
      const headers = { "Authorization": "Bearer " + page.token };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      let data = null;
      try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: text }; }
      if (!response.ok) {
        const error = new Error((data && data.error) || ("HTTP " + response.status));
        error.status = response.status;
        throw error;
      }
      return data;
    }

    function say(text, isError) {
      const box = $("#message");
      box.textContent = text;
      box.className = isError ? "error" : "";
      box.hidden = false;
    }

    function element(tag, text, className) {
      const node = document.createElement(tag);
      if (text !== undefined && text !== null) node.textContent = String(text);
      if (className) node.className = className;
      return node;
    }

    function time(iso) {
      if (!iso) return "";
      const date = new Date(iso);
      return isNaN(date) ? iso : date.toLocaleTimeString();
    }

    // Compartments

    function compartmentCard(name) {
      let card = document.querySelector('[data-compartment="' + CSS.escape(name) + '"]');
      if (card) return card;
      card = element("div", null, "card");
      card.dataset.compartment = name;
      const head = element("div", null, "card-head");
      head.append(element("span", name, "name"), element("span", "", "connector"), element("span", "", "status"));
      head.lastChild.dataset.field = "status";
      head.children[1].dataset.field = "connector";
      const list = element("dl");
      for (const [label, field] of [["Door", "door"], ["Lock", "lock"], ["Relay", "relay"], ["Session", "session"], ["Faults", "faults"]]) {
        const value = element("dd", "-");
        value.dataset.field = field;
        list.append(element("dt", label), value);
      }
      const actions = element("div", null, "actions");
      const unlock = element("button", "Unlock…", "danger");
      unlock.dataset.action = "unlock";
      unlock.addEventListener("click", () => askUnlock(name));
      actions.append(unlock);
      const clear = element("button", "Clear faults", "secondary");
      clear.dataset.action = "clear-faults";
      clear.addEventListener("click", () => clearFaults(name));
      actions.append(clear);
      if (page.simulated) {
        const door = element("button", "Open door", "secondary");
        door.dataset.action = "door";
        door.addEventListener("click", () => moveDoor(name, card.dataset.door === "open" ? "closed" : "open"));
        actions.append(door);
      }
      card.append(head, list, actions);
      $("#compartments").append(card);
      return card;
    }

    function showCompartment(c) {
      const card = compartmentCard(c.name);
      card.className = "card status-" + c.status;
      card.dataset.door = c.door;
      const set = (field, text) => { card.querySelector('[data-field="' + field + '"]').textContent = text; };
      set("connector", "#" + c.connectorId);
      set("status", c.status);
      set("door", c.door);
      set("lock", c.lock + (c.lockFeedback && c.lockFeedback !== c.lock ? " (switch: " + c.lockFeedback + ")" : ""));
      set("relay", c.relay);
      const session = c.session;
      set("session", session ? session.state + " " + session.idTag + (session.energyWh != null ? ", " + Math.round(session.energyWh) + " Wh" : "") : "-");
      const faults = (c.faults && c.faults.length ? c.faults : (c.fault ? [c.fault] : []));
      set("faults", faults.length ? faults.join(", ") : (c.emergency ? "emergency" : "-"));
      card.querySelector('[data-field="faults"]').className = faults.length || c.emergency ? "fault" : "";
      card.querySelector('[data-action="clear-faults"]').hidden = faults.length === 0;
      const door = card.querySelector('[data-action="door"]');
      if (door) door.textContent = c.door === "open" ? "Close door" : "Open door";
    }

    function showUplink(uplink) {
      const badge = $("#uplink");
      badge.textContent = "uplink: " + uplink.state + (uplink.queueDepth ? " (" + uplink.queueDepth + " queued)" : "");
      badge.className = "badge " + (uplink.state === "connected" ? "ok" : uplink.state === "notConfigured" ? "off" : uplink.state === "connecting" ? "warn" : "bad");
      badge.title = uplink.detail || (uplink.centralSystemURL || "OCPP uplink");
    }

    // Loading

    async function loadAll() {
      const status = await api("GET", "/v1/status");
      page.simulated = status.station.simulated;
      $("#station").textContent = status.station.identity + " · " + status.station.vendor + " " + status.station.model + (status.station.simulated ? " (simulated)" : "");
      showUplink(status.uplink);
      $("#compartments").replaceChildren();
      for (const c of status.compartments) showCompartment(c);
      page.emergency = status.compartments.some((c) => c.emergency);
      $("#emergency-toggle").textContent = page.emergency ? "Release emergency" : "Raise emergency";
      $("#simulation").hidden = !page.simulated;
      await Promise.all([loadMeters(), loadBalancing(), loadAudit(), loadLoads(), detectSMS()]);
    }

    async function optional(path) {
      try { return await api("GET", path); } catch (error) { if (error.status === 404) return null; throw error; }
    }

    function number(value) { return value == null ? "-" : (Math.round(value * 10) / 10).toString(); }

    function measure(meter, measurand, kilo) {
      const value = meter.values.find((v) => v.measurand === measurand && !v.phase);
      if (!value || value.value == null) return null;
      return value.unit === kilo ? value.value * 1000 : value.value;
    }

    async function loadMeters() {
      const answer = await optional("/v1/meters");
      $("#meters-section").hidden = !answer;
      if (!answer) return;
      const body = $("#meters tbody");
      body.replaceChildren();
      for (const meter of answer.meters) {
        const row = element("tr", null, meter.stale ? "stale" : "");
        row.dataset.meter = meter.device.name;
        row.append(element("td", meter.device.name), element("td", meter.device.role),
                   element("td", number(measure(meter, "Power.Active.Import", "kW"))),
                   element("td", number(measure(meter, "Energy.Active.Import.Register", "kWh"))),
                   element("td", number(meter.ageSeconds)), element("td", meter.stale ? "STALE" : "ok"));
        body.append(row);
      }
    }

    function describe(value) {
      if (value === null || value === undefined) return "-";
      if (typeof value === "object") {
        const entries = Object.entries(value);
        // Per-phase values and the like: "L1 10 · L2 10 · L3 10".
        if (entries.every(([, v]) => v === null || typeof v !== "object")) {
          return entries.length ? entries.map(([k, v]) => k + " " + (typeof v === "number" ? Math.round(v * 100) / 100 : v)).join(" · ") : "-";
        }
        return JSON.stringify(value);
      }
      return String(value);
    }

    async function loadBalancing() {
      const answer = await optional("/v1/balancing");
      $("#balancing-section").hidden = !answer;
      if (!answer) return;
      const box = $("#balancing");
      box.replaceChildren();
      const scalars = element("dl");
      for (const [key, value] of Object.entries(answer)) {
        if (value && typeof value === "object" && !Array.isArray(value) && Object.values(value).some((v) => v && typeof v === "object")) {
          // A nested object (the grid connection): one line per field.
          for (const [inner, innerValue] of Object.entries(value)) scalars.append(element("dt", key + "." + inner), element("dd", describe(innerValue)));
        } else if (Array.isArray(value) && value.length && typeof value[0] === "object") {
          const table = element("table");
          const keys = [...new Set(value.flatMap((item) => Object.keys(item)))];
          const head = element("tr");
          for (const k of keys) head.append(element("th", k));
          table.append(head);
          for (const item of value) {
            const row = element("tr");
            for (const k of keys) row.append(element("td", describe(item[k])));
            table.append(row);
          }
          box.append(element("h3", key), table);
        } else {
          scalars.append(element("dt", key), element("dd", describe(value)));
        }
      }
      box.prepend(scalars);
    }

    function auditLine(record) {
      const item = element("li");
      item.append(element("time", time(record.recordedAt)),
                  document.createTextNode(record.actor + " " + record.action + (record.target ? " " + record.target : "") + (record.reason ? ": " + record.reason : "")));
      item.dataset.action = record.action;
      return item;
    }

    async function loadAudit() {
      const answer = await api("GET", "/v1/audit?limit=20");
      $("#audit").replaceChildren(...answer.records.map(auditLine));
    }

    async function loadLoads() {
      const answer = page.simulated ? await optional("/v1/simulation/meters") : null;
      const box = $("#loads");
      box.replaceChildren();
      box.hidden = !answer;
      if (!answer) return;
      for (const meter of answer.meters) {
        const load = element("div", null, "load");
        load.dataset.unit = meter.unit;
        const pinned = Object.entries(meter.pinned || {}).map(([k, v]) => k + "=" + v).join(", ");
        const label = element("span", meter.name, "label");
        label.title = meter.role + ", unit " + meter.unit + (pinned ? ", pinned: " + pinned : "");
        const input = element("input");
        input.type = "number"; input.min = "0"; input.step = "10"; input.placeholder = "W";
        input.setAttribute("aria-label", "power of unit " + meter.unit);
        if (meter.pinned && meter.pinned.power != null) input.value = meter.pinned.power;
        const button = element("button", "Set", "secondary");
        button.addEventListener("click", () => setLoad(meter.unit, input.value));
        load.append(label, input, button);
        box.append(load);
      }
    }

    async function detectSMS() {
      // The simulated modem (sms.transports: simulated-modem), when the site has one.
      const status = page.simulated ? await optional("/v1/sms/status") : null;
      $("#sms-form").hidden = !(status && status.simulatedModem);
      if (!$("#sms-form").hidden) loadSentSMS();
    }

    async function loadSentSMS() {
      const answer = await optional("/v1/simulation/sms/sent").catch(() => null);
      const list = $("#sms-sent");
      list.replaceChildren();
      for (const message of (answer ? answer.messages : []).slice(-5).reverse()) {
        list.append(element("li", (message.to || "") + ": " + (message.text || "")));
      }
    }

    // Actions

    async function act(description, work) {
      try {
        const result = await work();
        say(description);
        return result;
      } catch (error) {
        say(description + " failed: " + error.message, true);
        return null;
      }
    }

    let unlockTarget = null;
    function askUnlock(name) {
      unlockTarget = name;
      $("#unlock-name").textContent = name;
      $("#unlock-reason").value = "";
      $("#unlock-error").hidden = true;
      $("#unlock-dialog").showModal();
      $("#unlock-reason").focus();
    }

    async function confirmUnlock(event) {
      event.preventDefault();
      const reason = $("#unlock-reason").value.trim();
      if (!reason) {
        $("#unlock-error").textContent = "A reason is required: it goes into the audit log.";
        $("#unlock-error").hidden = false;
        return;
      }
      $("#unlock-confirm").disabled = true;
      try {
        const result = await api("POST", "/v1/compartments/" + encodeURIComponent(unlockTarget) + "/unlock", { reason });
        $("#unlock-dialog").close();
        say(result.outcome === "unlocked"
          ? unlockTarget + " unlocked (confirmed by " + result.confirmedBy + "), audit record " + result.auditRecordId
          : unlockTarget + ": the unlock was not confirmed (" + result.outcome + ")", result.outcome !== "unlocked");
      } catch (error) {
        $("#unlock-error").textContent = error.message;
        $("#unlock-error").hidden = false;
      } finally {
        $("#unlock-confirm").disabled = false;
      }
    }

    function clearFaults(name) {
      const reason = prompt("Why are the faults of " + name + " cleared? (goes into the audit log)");
      if (!reason) return;
      act("Faults of " + name + " cleared", () => api("POST", "/v1/compartments/" + encodeURIComponent(name) + "/clear-faults", { reason }));
    }

    function moveDoor(name, state) {
      act("Door " + name + " " + state, () => api("POST", "/v1/simulation/compartments/" + encodeURIComponent(name) + "/door", { state }));
    }

    function setLoad(unit, watts) {
      const value = watts === "" ? null : Number(watts);
      act("Unit " + unit + (value === null ? " unpinned" : " set to " + value + " W"),
          () => api("POST", "/v1/simulation/meters/" + unit, { values: { power: value } })).then(loadLoads);
    }

    // The live event stream: fetch (EventSource cannot send the token) and parse Server-Sent Events.

    async function follow() {
      if (page.stream) page.stream.abort();
      const controller = new AbortController();
      page.stream = controller;
      const live = $("#live");
      try {
        const response = await fetch("/v1/events/stream", { headers: { "Authorization": "Bearer " + page.token }, signal: controller.signal });
        if (!response.ok) throw new Error("HTTP " + response.status);
        live.textContent = "live: on"; live.className = "badge ok";
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            frame(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      live.textContent = "live: reconnecting"; live.className = "badge warn";
      setTimeout(() => { if (page.stream === controller) follow(); }, 2000);
    }

    function frame(block) {
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("data:")) data += line.slice(5).trim();
      }
      if (!data) return;
      const event = JSON.parse(data);
      if (event.type === "compartment") showCompartment(event.compartment);
      if (event.type === "uplink") showUplink(event.uplink);
      if (event.type === "audit") $("#audit").prepend(auditLine(event.record));
      logEvent(event);
    }

    function logEvent(event) {
      let text = event.type;
      if (event.type === "compartment") text += " " + event.compartment.name + ": " + event.compartment.status + ", door " + event.compartment.door + ", lock " + event.compartment.lock + ", relay " + event.compartment.relay;
      if (event.type === "session") text += " " + event.change + " " + event.session.compartment + " (" + event.session.state + ")";
      if (event.type === "hardware") text += " " + event.event.kind + (event.event.compartment ? " " + event.event.compartment : "") + (event.event.reader ? " at " + event.event.reader : "") + (event.event.detail ? ": " + event.event.detail : "");
      if (event.type === "audit") text += " " + event.record.action + " " + (event.record.target || "") + " by " + event.record.actor;
      if (event.type === "uplink") text += " " + event.uplink.state + ", " + event.uplink.queueDepth + " queued";
      if (event.type === "connector") text += " " + event.connector.connectorId + ": " + event.connector.status + (event.connector.fault ? " (" + event.connector.fault + ")" : "");
      const item = element("li");
      item.dataset.type = event.type;
      item.append(element("time", time(event.at)), document.createTextNode(text));
      const list = $("#events");
      list.prepend(item);
      while (list.children.length > 100) list.lastChild.remove();
    }

    // Start

    async function connect() {
      try {
        await loadAll();
        $("#content").hidden = false;
        say("Connected.");
        follow();
        clearInterval(page.refreshTimer);
        page.refreshTimer = setInterval(() => {
          loadMeters().catch(() => {});
          loadBalancing().catch(() => {});
          if (!$("#sms-form").hidden) loadSentSMS().catch(() => {});
        }, 3000);
      } catch (error) {
        say(error.status === 401 ? "The token was not accepted: paste the output of `edge-agent token`." : "Cannot reach the API: " + error.message, true);
      }
    }

    document.addEventListener("DOMContentLoaded", () => {
      $("#token").value = page.token;
      $("#token-form").addEventListener("submit", (event) => {
        event.preventDefault();
        page.token = $("#token").value.trim();
        sessionStorage.setItem("edgeAgentToken", page.token);
        connect();
      });
      $("#forget").addEventListener("click", () => {
        sessionStorage.removeItem("edgeAgentToken");
        page.token = ""; $("#token").value = "";
        if (page.stream) page.stream.abort();
        say("Token forgotten.");
      });
      $("#unlock-form").addEventListener("submit", confirmUnlock);
      $("#unlock-cancel").addEventListener("click", () => $("#unlock-dialog").close());
      $("#card-form").addEventListener("submit", (event) => {
        event.preventDefault();
        const reader = $("#card-reader").value.trim();
        act("Card presented at " + reader, () => api("POST", "/v1/simulation/readers/" + encodeURIComponent(reader) + "/card", { idTag: $("#card-idtag").value.trim() }));
      });
      $("#keys-form").addEventListener("submit", (event) => {
        event.preventDefault();
        const reader = $("#keys-reader").value.trim();
        act("Keys typed at " + reader, () => api("POST", "/v1/simulation/readers/" + encodeURIComponent(reader) + "/keys", { keys: $("#keys-text").value }));
      });
      $("#sms-form").addEventListener("submit", (event) => {
        event.preventDefault();
        act("SMS delivered to the simulated modem", () => api("POST", "/v1/simulation/sms/inbound", { from: $("#sms-from").value.trim(), text: $("#sms-text").value }))
          .then(() => setTimeout(loadSentSMS, 1500));
      });
      $("#emergency-toggle").addEventListener("click", async () => {
        const active = !page.emergency;
        if (active && !confirm("Raise the emergency input? Every compartment unlocks and every relay switches off.")) return;
        if (await act(active ? "Emergency raised" : "Emergency released", () => api("POST", "/v1/simulation/emergency", { active }))) {
          page.emergency = active;
          $("#emergency-toggle").textContent = active ? "Release emergency" : "Raise emergency";
        }
      });
      if (page.token) connect(); else say("Paste the API token (edge-agent token) and press Connect.");
    });
    """##
}

// The dashboard: a token kept in sessionStorage only (sent as
// "Authorization: Bearer"), a month picker (the last 24 months, the last
// full month first), the report fragment from /report placed in the page
// and its charts drawn by report_charts.js (window.SgmReportCharts), with a
// row of links to its sections (front door to practice insight and what
// changed), each marked when the section is unavailable or not deployed.
(function () {
  "use strict";

  var TOKEN_KEY = "sgm-token";
  var MONTHS = 24;

  function $(id) { return document.getElementById(id); }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // "YYYY-MM" for the last MONTHS full months, newest first.
  function lastMonths(now) {
    var list = [];
    var year = now.getFullYear();
    var month = now.getMonth();  // 0-based: the current month; start before
    for (var i = 0; i < MONTHS; i++) {
      month -= 1;
      if (month < 0) { month = 11; year -= 1; }
      list.push(year + "-" + pad(month + 1));
    }
    return list;
  }

  function monthLabel(value) {
    var parts = value.split("-");
    var date = new Date(Number(parts[0]), Number(parts[1]) - 1, 1);
    return date.toLocaleString("en-GB", { month: "long", year: "numeric" });
  }

  function token() { return $("sgm-token").value.trim(); }

  function headers() {
    var h = { "Accept": "text/html, application/json" };
    if (token()) h["Authorization"] = "Bearer " + token();
    return h;
  }

  function setStatus(text, isError) {
    var status = $("sgm-status");
    status.textContent = text;
    status.className = "sgm-status" + (isError ? " sgm-error" : "");
  }

  // A plain sentence for an HTTP error, with the server's message.
  function describe(response, body) {
    var message = "";
    try { message = JSON.parse(body).message || ""; } catch (e) { message = ""; }
    var reason = {
      400: "The request was not valid.",
      401: "The token was not accepted: check it and try again.",
      403: "This token may not see this report.",
      404: "Not found.",
      429: "Too many requests: wait a moment and try again.",
      503: "The service is unavailable: try again shortly.",
      504: "The service took too long to answer: try again shortly."
    }[response.status] || ("The server answered " + response.status + ".");
    return reason + (message ? " (" + message + ")" : "");
  }

  function whoAmI() {
    var who = $("sgm-who");
    if (!token()) { who.textContent = "Not signed in."; return; }
    fetch("/api/v1/sgm.gateway.v1.GatewayService/WhoAmI", {
      method: "POST", headers: Object.assign(headers(),
        { "Content-Type": "application/json" }), body: "{}",
      cache: "no-store", credentials: "omit"
    }).then(function (response) {
      return response.text().then(function (body) {
        if (!response.ok) {
          who.textContent = "Not signed in: " + describe(response, body);
          return;
        }
        var me = JSON.parse(body);
        var role = String(me.role || "").replace(/^ROLE_/, "").toLowerCase();
        who.textContent = "Signed in as " + me.caller + " (" + role +
          ", authority " + me.authority + ")";
      });
    }).catch(function () { who.textContent = "Not signed in."; });
  }

  // Links to the report's sections, in order; a section whose service did
  // not answer (or is not deployed) is marked so in its link's title.
  function buildNav(container) {
    var nav = $("sgm-nav");
    nav.textContent = "";
    var sections = container.querySelectorAll("section.sgm-report-section");
    var list = document.createElement("ul");
    for (var i = 0; i < sections.length; i++) {
      var section = sections[i];
      var heading = section.querySelector("h2");
      var match = /(?:^|\s)sgm-section-([a-z0-9-]+)/.exec(section.className);
      if (!heading || !match) continue;
      section.id = "sgm-section-" + match[1];
      var link = document.createElement("a");
      link.href = "#" + section.id;
      link.textContent = heading.textContent;
      var notice = section.querySelector(".sgm-notice");
      if (notice && notice.parentNode === section) {
        link.className = "sgm-nav-missing";
        link.title = notice.textContent;
      }
      var item = document.createElement("li");
      item.appendChild(link);
      list.appendChild(item);
    }
    if (list.children.length > 0) nav.appendChild(list);
    nav.hidden = list.children.length === 0;
  }

  function show(event) {
    if (event) event.preventDefault();
    var month = $("sgm-month").value;
    var container = $("sgm-report");
    if (token()) {
      sessionStorage.setItem(TOKEN_KEY, token());
    } else {
      sessionStorage.removeItem(TOKEN_KEY);
    }
    whoAmI();
    setStatus("Loading the report for " + monthLabel(month) + "...", false);
    fetch("/report?month=" + encodeURIComponent(month), {
      headers: headers(), cache: "no-store", credentials: "omit"
    }).then(function (response) {
      return response.text().then(function (body) {
        if (!response.ok) {
          container.textContent = "";
          buildNav(container);
          setStatus(describe(response, body), true);
          return;
        }
        // The fragment is the gateway's own HTML, every data text escaped
        // by the renderer; its <script type="application/json"> blocks are
        // data, never run.
        container.innerHTML = body;
        buildNav(container);
        var suppressed = response.headers.get("Sgm-Suppressed-Fields");
        setStatus("Report for " + monthLabel(month) +
          (suppressed ? " (small counts are withheld)" : ""), false);
        if (window.SgmReportCharts && window.SgmReportCharts.drawAll) {
          window.SgmReportCharts.drawAll(container);
        }
      });
    }).catch(function (error) {
      setStatus("The gateway could not be reached (" + error + ").", true);
    });
  }

  function init() {
    var select = $("sgm-month");
    lastMonths(new Date()).forEach(function (value, i) {
      var option = document.createElement("option");
      option.value = value;
      option.textContent = monthLabel(value);
      if (i === 0) option.selected = true;
      select.appendChild(option);
    });
    var saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved) { $("sgm-token").value = saved; whoAmI(); }
    $("sgm-controls").addEventListener("submit", show);
    $("sgm-print").addEventListener("click", function () { window.print(); });
    select.addEventListener("change", function () {
      $("sgm-json-report").title = "POST {\"month\":{\"year\":" +
        select.value.split("-")[0] + ",\"month\":" +
        Number(select.value.split("-")[1]) + "}}";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

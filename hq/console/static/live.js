// The live page: draws the charts from the figures the server rendered, then keeps every
// figure current from the server-sent events of /live/stream (same JSON as /live.json).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("live-data").textContent);
  var hourly = document.getElementById("hourly-chart");
  var tenders = document.getElementById("tender-chart");
  var state = document.getElementById("live-state");
  var charts = window.echarts ? [echarts.init(hourly), echarts.init(tenders)] : null;

  function yuan(fen) {
    var sign = fen < 0 ? "-" : "";
    fen = Math.abs(fen);
    return "¥" + sign + Math.floor(fen / 100) + "." + String(fen % 100).padStart(2, "0");
  }

  function draw(d) {
    if (!charts) { return; }
    var hours = [];
    for (var h = 0; h < 24; h++) { hours.push(String(h).padStart(2, "0")); }
    charts[0].setOption({
      animation: false,
      title: { text: hourly.dataset.title, left: 10, top: 8, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return yuan(Math.round(v * 100)); } },
      legend: { top: 8, right: 10 },
      grid: { top: 60, left: 60, right: 20, bottom: 30 },
      xAxis: { type: "category", data: hours },
      yAxis: { type: "value" },
      series: [
        { name: hourly.dataset.today, type: "bar", data: d.chain.hours.map(function (v) { return v / 100; }) },
        { name: hourly.dataset.lastWeek, type: "line", data: d.chain.hours_last_week.map(function (v) { return v / 100; }) }
      ]
    });
    charts[1].setOption({
      animation: false,
      title: { text: tenders.dataset.title, left: 10, top: 8, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "item", valueFormatter: function (v) { return yuan(Math.round(v * 100)); } },
      series: [{ type: "pie", radius: ["35%", "65%"], top: 20,
                 data: Object.keys(d.chain.tenders).map(function (k) {
                   return { name: k, value: d.chain.tenders[k] / 100 };
                 }) }]
    });
  }

  function fill(d) {
    document.getElementById("chain-sales").textContent = d.chain.sales;
    document.getElementById("chain-net").textContent = yuan(d.chain.net);
    document.getElementById("chain-avg").textContent = yuan(d.chain.avg_basket);
    var body = document.querySelector("#per-store tbody");
    d.per_store.forEach(function (s) {
      var row = body.querySelector('tr[data-store="' + CSS.escape(s.store) + '"]');
      if (!row) {
        row = document.createElement("tr");
        row.dataset.store = s.store;
        ["store", "sales", "net", "avg_basket", "tenders"].forEach(function (f) {
          var td = document.createElement("td");
          td.dataset.f = f;
          if (f !== "store" && f !== "tenders") { td.className = "n"; }
          row.appendChild(td);
        });
        row.firstChild.textContent = s.store;
        body.appendChild(row);
      }
      row.querySelector('[data-f="sales"]').textContent = s.sales;
      row.querySelector('[data-f="net"]').textContent = yuan(s.net);
      row.querySelector('[data-f="avg_basket"]').textContent = yuan(s.avg_basket);
      row.querySelector('[data-f="tenders"]').textContent = Object.keys(s.tenders).map(function (k) {
        return k + " " + yuan(s.tenders[k]);
      }).join(" · ");
    });
    draw(d);
  }

  draw(data);
  if (!window.EventSource) { return; }
  var source = new EventSource("/live/stream" + window.location.search);
  source.addEventListener("live", function (e) {
    state.classList.remove("off");
    state.textContent = state.dataset.on;
    fill(JSON.parse(e.data));
  });
  source.onerror = function () {
    state.classList.add("off");
    state.textContent = state.dataset.off;
  };
  window.addEventListener("resize", function () { if (charts) { charts.forEach(function (c) { c.resize(); }); } });
}());

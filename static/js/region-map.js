// Draws the map of templates/maps/_map.html: fetches the figures (data-map-url) and the
// outlines they name, then an ECharts map, darker where more took part. The names and figures
// are in the labels, the tooltip and the table beside the map, never in colour alone.
(function () {
  "use strict";
  var box = document.getElementById("region-map");
  if (!box || !window.echarts) { return; }

  function fail() {
    box.setAttribute("data-state", "failed");
    box.textContent = box.getAttribute("data-failed");
  }

  function json(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(url + ": " + response.status); }
        return response.json();
      });
  }

  json(box.getAttribute("data-map-url")).then(function (figures) {
    return json(figures.boundaries_url).then(function (outlines) {
      draw(figures, outlines);
    });
  }).catch(fail);

  function draw(figures, outlines) {
    var names = {};
    figures.children.forEach(function (row) { names[row.key] = row.label; });
    var values = figures.children.map(function (row) {
      return { name: row.key, value: row.attendance, activities: row.activities, label: row.label };
    });
    var top = Math.max.apply(null, [1].concat(values.map(function (v) { return v.value; })));
    var encode = window.echarts.format.encodeHTML;
    window.echarts.registerMap("region-" + figures.region.code, outlines);
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          var data = item.data || { label: names[item.name] || item.name, value: 0, activities: 0 };
          return encode(data.label) + "<br>" + encode(String(data.value)) + " · " + encode(String(data.activities));
        }
      },
      visualMap: {
        type: "continuous", min: 0, max: top, left: 8, bottom: 8, calculable: false,
        text: [box.getAttribute("data-high"), box.getAttribute("data-low")],
        inRange: { color: ["#e8f0fb", "#6f97d6", "#0b3d91"] }
      },
      series: [{
        type: "map", map: "region-" + figures.region.code, nameProperty: "adcode", roam: true,
        labelLayout: { hideOverlap: true },  // small eastern provinces: the tooltip and table name them
        data: values,
        label: {
          show: true, fontSize: 13, color: "#111",
          formatter: function (item) { return (names[item.name] || "") + (item.value >= 0 ? "\n" + item.value : ""); }
        },
        emphasis: { label: { fontWeight: "bold" }, itemStyle: { areaColor: "#f2b01e" } },
        itemStyle: { borderColor: "#333", borderWidth: 0.8 }
      }]
    });
    chart.on("click", function (item) {
      if (item.name && names[item.name]) {
        window.location.href = box.getAttribute("data-child-url").replace("CODE", item.name);
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
}());

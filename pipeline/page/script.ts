/**
 * The report page's own script, run in the browser after the inlined vega,
 * vega-lite and vega-embed: the group selector shows one group's section and
 * draws its charts the first time it is shown (from the specs in
 * #perfdb-charts, their rows rebuilt from columns and their tips spelt out
 * from codes: compact.ts, tips.ts); #group-N in the address opens group N.
 */
export const PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('perfdb-charts').textContent);
  var codes = data.codes;
  var HELD = { end: "the end knot's value (the tail's shape would fall below it)", floor: 'the smallest median measured in the group', impossible: 'the nearest measured end (the line gave an impossible value)' };

  function percent(f) {
    return Number((f * 100).toPrecision(3)) + '%';
  }

  // A TipCode (tips.ts): [kind, prompt, batch, tokens, value, source, err, basis, factor, held].
  function spell(code, chart) {
    var out = { title: code[0] === 0 ? 'measured repetition' : 'emitted row' };
    out.configuration = 'prompt ' + code[1] + ', batch ' + code[2] + ', tokens ' + code[3];
    out[chart.metric] = chart.unit ? code[4] + ' ' + chart.unit : String(code[4]);
    out.source = codes.sources[code[5]];
    if (code[8] !== null) out['beyond the range'] = code[8] + 'x';
    out.uncertainty = code[6] === null ? 'none stated (' + codes.bases[code[7]] + ')' : '±' + percent(code[6]) + ' (' + codes.bases[code[7]] + ')';
    if (code[9]) out['held at'] = HELD[code[9]];
    return out;
  }

  function rows(compact, chart) {
    var out = [];
    for (var i = 0; i < compact.n; i++) {
      var row = {};
      for (var k in compact.k) row[k] = compact.k[k];
      for (var c in compact.c) {
        var v = compact.c[c][i];
        if (v !== null) row[c] = c === 'tip' && Array.isArray(v) ? spell(v, chart) : v;
      }
      out.push(row);
    }
    return out;
  }

  function specOf(chart) {
    var spec = Object.assign({}, chart.spec);
    spec.layer = chart.spec.layer.map(function (layer) {
      if (!layer.data || !layer.data.compact) return layer;
      return Object.assign({}, layer, { data: { values: rows(layer.data.compact, chart) } });
    });
    return spec;
  }
  var specs = data.groups;
  var select = document.getElementById('group-select');
  var sections = Array.prototype.slice.call(document.querySelectorAll('section.group'));
  var drawn = {};
  var options = { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } };

  function draw(index) {
    if (drawn[index]) return;
    drawn[index] = true;
    specs[index].forEach(function (chart, k) {
      var figure = document.getElementById('chart-' + index + '-' + k);
      vegaEmbed(figure, specOf(chart), options).then(function () {
        figure.setAttribute('data-drawn', 'true');
      }, function (error) {
        figure.setAttribute('data-drawn', 'error');
        figure.textContent = 'This chart could not be drawn: ' + error.message;
        console.error(error);
      });
    });
  }

  function show(index, remember) {
    sections.forEach(function (section) {
      section.hidden = section.getAttribute('data-group') !== String(index);
    });
    select.value = String(index);
    document.body.setAttribute('data-shown', String(index));
    draw(index);
    if (remember && history.replaceState) history.replaceState(null, '', '#group-' + index);
  }

  function fromHash() {
    var match = /^#group-(\d+)$/.exec(location.hash);
    return match && Number(match[1]) < sections.length ? Number(match[1]) : null;
  }

  select.addEventListener('change', function () {
    show(Number(select.value), true);
  });
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[data-group]');
    if (!link) return;
    event.preventDefault();
    show(Number(link.getAttribute('data-group')), true);
    document.getElementById('group').scrollIntoView();
  });
  window.addEventListener('hashchange', function () {
    var index = fromHash();
    if (index !== null) show(index, false);
  });
  var initial = fromHash();
  show(initial === null ? 0 : initial, false);
})();
`;

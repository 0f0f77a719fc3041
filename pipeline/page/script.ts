/**
 * The report page's own script, run in the browser after the inlined vega,
 * vega-lite and vega-embed: the group selector shows one group's section and
 * draws its charts the first time it is shown (from the specs in
 * #perfdb-charts); #group-N in the address opens group N.
 */
export const PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var specs = JSON.parse(document.getElementById('perfdb-charts').textContent);
  var select = document.getElementById('group-select');
  var sections = Array.prototype.slice.call(document.querySelectorAll('section.group'));
  var drawn = {};
  var options = { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } };

  function draw(index) {
    if (drawn[index]) return;
    drawn[index] = true;
    specs[index].forEach(function (spec, k) {
      var figure = document.getElementById('chart-' + index + '-' + k);
      vegaEmbed(figure, spec, options).then(function () {
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

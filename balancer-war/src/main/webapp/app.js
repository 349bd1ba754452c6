'use strict';
// The balancer's page: compute through the balancer, watch round-robin at work, and follow
// the routing table live over Server-Sent Events. No framework, nothing fetched from elsewhere.
(function () {
  const $ = (id) => document.getElementById(id);
  let messages = {}; // instance id -> its greeting, from the live table
  let weightShares = {}; // instance id -> its weight's share of its service's, from the live table
  let routed = null; // service name -> Set of instance ids, as of the last table seen
  const lastAnswers = []; // instance ids of the last 30 answers, oldest first

  function showError(text) {
    $('error').textContent = text;
    $('error').hidden = false;
  }

  function clearError() {
    $('error').hidden = true;
    $('error').textContent = '';
  }

  // One request through the balancer; resolves to {instance, body} or rejects with a sentence.
  async function compute(operation, a, b) {
    const query = new URLSearchParams({ a: a, b: b });
    let response;
    try {
      response = await fetch('api/operations/' + encodeURIComponent(operation) + '?' + query, { headers: { Accept: 'application/json' } });
    } catch (e) {
      throw new Error('The balancer cannot be reached. Is it running?');
    }
    let body = null;
    try { body = await response.json(); } catch (e) { /* not JSON: explained below */ }
    if (!response.ok) {
      const sentence = body && body.message ? body.message : 'The request failed with status ' + response.status + '.';
      if (response.status === 503) {
        throw new Error('No instance is available right now: ' + sentence);
      }
      throw new Error(sentence);
    }
    return { instance: response.headers.get('X-Ruta-Instance') || body.instance, body: body };
  }

  // Counters change with every request, not only when Consul does: fetch them after sending.
  async function refreshServices() {
    try {
      const response = await fetch('balancer/services', { headers: { Accept: 'application/json' } });
      if (response.ok) drawServices(await response.json());
    } catch (e) { /* the live stream reports a lost balancer */ }
  }

  // The operations the service offers, asked of the service itself through the balancer.
  async function loadOperations() {
    try {
      const response = await fetch('api/operations', { headers: { Accept: 'application/json' } });
      if (!response.ok) throw new Error('status ' + response.status);
      const operations = await response.json();
      const select = $('operation');
      select.replaceChildren(...operations.map((operation) => {
        const option = document.createElement('option');
        option.value = operation.name;
        option.textContent = operation.name + ' (' + operation.symbol + ')';
        return option;
      }));
    } catch (e) {
      showError('The list of operations could not be loaded from the service (' + e.message + '); reload the page to try again.');
    }
  }

  // A colour per instance, in the order instances first answered, from a palette whose colours
  // stay apart for the common colour-vision deficiencies (Okabe and Ito), each with a text
  // colour that reads on it. The instance's ID is in the title and the label, never in the colour alone.
  const PALETTE = [
    ['#E69F00', '#000'], ['#56B4E9', '#000'], ['#009E73', '#fff'], ['#F0E442', '#000'],
    ['#0072B2', '#fff'], ['#D55E00', '#fff'], ['#CC79A7', '#000'], ['#999999', '#000'],
  ];
  const colours = new Map();
  function colourOf(id) {
    if (!colours.has(id)) colours.set(id, PALETTE[colours.size % PALETTE.length]);
    return colours.get(id);
  }

  function remember(instance) {
    lastAnswers.push(instance);
    if (lastAnswers.length > 30) lastAnswers.shift();
    const strip = $('strip');
    strip.replaceChildren(...lastAnswers.map((id) => {
      const item = document.createElement('li');
      item.dataset.instance = id;
      item.title = id;
      item.setAttribute('aria-label', id);
      item.textContent = id.split('-').pop();
      const [background, text] = colourOf(id);
      item.style.backgroundColor = background;
      item.style.color = text;
      return item;
    }));
    $('strip-empty').hidden = true;
  }

  // One line per instance that joined or left since the last table, newest first, five kept.
  function noteChanges(view) {
    const now = {};
    view.services.forEach((service) => { now[service.name] = new Set(service.instances.map((i) => i.id)); });
    if (routed !== null) {
      const lines = [];
      Object.keys(now).forEach((name) => now[name].forEach((id) => {
        if (!routed[name] || !routed[name].has(id)) lines.push(id + ' joined ' + name);
      }));
      Object.keys(routed).forEach((name) => routed[name].forEach((id) => {
        if (!now[name] || !now[name].has(id)) lines.push(id + ' left ' + name);
      }));
      const list = $('changes');
      lines.forEach((line) => {
        const item = document.createElement('li');
        item.textContent = new Date().toLocaleTimeString() + ' ' + line;
        list.prepend(item);
      });
      while (list.children.length > 5) list.lastElementChild.remove();
    }
    routed = now;
  }

  async function sendOnce(event) {
    event.preventDefault();
    clearError();
    try {
      const answer = await compute($('operation').value, $('a').value, $('b').value);
      $('result').textContent = String(answer.body.result);
      $('answered-by').textContent = answer.instance;
      remember(answer.instance);
      $('answered-message').textContent = messages[answer.instance] || '';
      $('answer').hidden = false;
    } catch (e) {
      $('answer').hidden = true;
      showError(e.message);
    }
    refreshServices();
  }

  async function sendThirty() {
    clearError();
    $('send30').disabled = true;
    const counts = {};
    try {
      for (let i = 0; i < 30; i++) {
        const answer = await compute($('operation').value, $('a').value, $('b').value);
        counts[answer.instance] = (counts[answer.instance] || 0) + 1;
        remember(answer.instance);
      }
      drawBars(counts);
    } catch (e) {
      showError(e.message);
    } finally {
      $('send30').disabled = false;
      refreshServices();
    }
  }

  function drawBars(counts) {
    const list = $('distribution');
    list.replaceChildren();
    const most = Math.max(1, ...Object.values(counts));
    Object.keys(counts).sort().forEach((instance) => {
      const item = document.createElement('li');
      item.dataset.instance = instance;
      const label = document.createElement('span');
      label.className = 'label';
      label.textContent = instance;
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = (100 * counts[instance] / most) + '%';
      bar.setAttribute('role', 'img');
      bar.setAttribute('aria-label', counts[instance] + ' requests');
      const count = document.createElement('span');
      count.className = 'count';
      count.textContent = String(counts[instance]);
      const share = document.createElement('span');
      share.className = 'share';
      const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
      share.textContent = Math.round(100 * counts[instance] / total) + '%'
        + (instance in weightShares ? ' (weight ' + Math.round(100 * weightShares[instance]) + '%)' : '');
      item.append(label, bar, count, share);
      list.append(item);
    });
    $('distribution-empty').hidden = true;
  }

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    row.append(td);
  }

  function drawServices(view) {
    noteChanges(view);
    messages = {};
    weightShares = {};
    const container = $('services');
    container.replaceChildren();
    if (view.services.length === 0) {
      container.textContent = 'No service is routed yet: none in Consul carries the routing tag.';
    }
    view.services.forEach((service) => {
      const title = document.createElement('h3');
      title.textContent = service.name + ' (' + service.strategy + ', Consul index ' + service.consulIndex + ')';
      const wrap = document.createElement('div');
      wrap.className = 'table-wrap';
      const table = document.createElement('table');
      table.dataset.service = service.name;
      const head = document.createElement('tr');
      ['Instance', 'Address', 'Health', 'Weight', 'Requests', 'In flight', 'Failures', 'Answer time', 'Slow start',
        'Ejected until'].forEach((name) => {
        const th = document.createElement('th');
        th.scope = 'col';
        th.textContent = name;
        head.append(th);
      });
      const thead = document.createElement('thead');
      thead.append(head);
      const tbody = document.createElement('tbody');
      if (service.instances.length === 0) {
        const row = document.createElement('tr');
        cell(row, 'No healthy instance.', 'ejected');
        tbody.append(row);
      }
      const totalWeight = service.instances.reduce((sum, instance) => sum + instance.weight, 0);
      service.instances.forEach((instance) => {
        messages[instance.id] = instance.message;
        weightShares[instance.id] = instance.weight / totalWeight;
        const row = document.createElement('tr');
        row.dataset.instance = instance.id;
        cell(row, instance.id);
        cell(row, instance.address + ':' + instance.port);
        cell(row, instance.ejectedUntil ? 'ejected' : 'passing', instance.ejectedUntil ? 'ejected' : '');
        cell(row, String(instance.weight));
        cell(row, String(instance.requests));
        cell(row, String(instance.inFlight));
        cell(row, String(instance.failures));
        // Absent until the instance has answered once; the average decays over balancer.ewma-decay.
        cell(row, instance.answerTimeSeconds == null ? '–' : (1000 * instance.answerTimeSeconds).toFixed(1) + ' ms');
        // Present only while the instance warms up under balancer.slow-start.
        cell(row, instance.slowStartShare == null ? '–' : Math.round(100 * instance.slowStartShare) + '% of its share');
        cell(row, instance.ejectedUntil ? new Date(instance.ejectedUntil).toLocaleTimeString() : '–');
        tbody.append(row);
      });
      table.append(thead, tbody);
      wrap.append(table);
      container.append(title, wrap);
    });
  }

  function follow() {
    const events = new EventSource('balancer/events');
    events.addEventListener('services', (event) => {
      $('events-state').textContent = 'Live: updated ' + new Date().toLocaleTimeString() + ' from Consul.';
      drawServices(JSON.parse(event.data));
    });
    events.onerror = () => {
      $('events-state').textContent = 'Connection to the balancer lost; reconnecting…';
    };
  }

  $('compute').addEventListener('submit', sendOnce);
  $('send30').addEventListener('click', sendThirty);
  loadOperations();
  follow();
}());

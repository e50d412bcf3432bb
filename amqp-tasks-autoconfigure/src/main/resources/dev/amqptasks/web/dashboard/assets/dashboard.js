// The amqp-tasks dashboard: reads the task API, the workers and the stats, and polls them so that
// the page stays current without a reload. Plain JavaScript, no framework, no build step. Every
// value from the server is put in the page as text (textContent), never as HTML.
'use strict';

(function () {
	const REFRESH_MILLIS = 1500;
	const HIDDEN_REFRESH_MILLIS = 15000;
	const PAGE_SIZE = 25;
	const STATUSES = ['scheduled', 'running', 'retrying', 'finished', 'errored', 'canceled'];
	const CANCELABLE = ['scheduled', 'running', 'retrying'];
	const RETRYABLE = ['errored', 'canceled'];

	const config = document.body.dataset;
	const paths = { tasks: config.tasks, workers: config.workers, stats: config.stats };
	const canManage = config.canManage === 'true';
	const canDebug = config.canDebug === 'true';

	const state = {
		status: '',
		name: '',
		cursor: null,
		// Cursors of the pages before this one, for "Newer".
		previous: [],
		next: null,
		selected: null,
		signedOut: false,
		timer: null,
		// Numbers each refresh, so that an answer overtaken by a newer request is dropped.
		sequence: 0
	};

	const $ = (id) => document.getElementById(id);

	// --- Talking to the server -----------------------------------------------------------------

	class ApiError extends Error {
		constructor(status, message) {
			super(message);
			this.status = status;
		}
	}

	function csrfToken() {
		const cookie = document.cookie.split('; ').find((entry) => entry.startsWith('XSRF-TOKEN='));
		return cookie ? decodeURIComponent(cookie.substring('XSRF-TOKEN='.length)) : null;
	}

	async function api(path, method) {
		// Asking as a script keeps the browser from showing its own password dialog on a 401.
		const headers = { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' };
		const token = csrfToken();
		if (method && method !== 'GET' && token) {
			headers['X-XSRF-TOKEN'] = token;
		}
		const response = await fetch(path, { method: method || 'GET', headers, credentials: 'same-origin',
			cache: 'no-store' });
		const type = response.headers.get('Content-Type') || '';
		const body = type.includes('json') ? await response.json() : null;
		if (!response.ok) {
			const detail = (body && (body.detail || body.title)) || response.statusText;
			throw new ApiError(response.status, detail);
		}
		return body;
	}

	function listPath() {
		const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
		if (state.status) {
			query.append('status', state.status);
		}
		if (state.name) {
			query.append('name', state.name);
		}
		if (state.cursor) {
			query.append('cursor', state.cursor);
		}
		return paths.tasks + '?' + query;
	}

	function taskPath(id) {
		return paths.tasks + '/' + encodeURIComponent(id);
	}

	// --- Small helpers -------------------------------------------------------------------------

	function element(tag, options, ...children) {
		const node = document.createElement(tag);
		Object.entries(options || {}).forEach(([key, value]) => {
			if (key === 'text') {
				node.textContent = value;
			}
			else if (key === 'className') {
				node.className = value;
			}
			else if (key === 'dataset') {
				Object.assign(node.dataset, value);
			}
			else {
				node.setAttribute(key, value);
			}
		});
		children.forEach((child) => node.append(child));
		return node;
	}

	// Times are shown 'full' (date and time), 'short' (the time of day when it is today) or
	// 'relative' (how long ago); the full time is always in the title.
	function time(iso, format) {
		if (!iso) {
			return element('span', { text: '–', className: 'muted' });
		}
		const date = new Date(iso);
		let text = date.toLocaleString();
		if (format === 'relative') {
			text = ago(date);
		}
		else if (format === 'short') {
			text = date.toDateString() === new Date().toDateString() ? date.toLocaleTimeString()
				: date.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
		}
		return element('time', { datetime: iso, title: date.toLocaleString(), text });
	}

	function ago(date) {
		const seconds = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000));
		if (seconds < 60) {
			return seconds + ' s ago';
		}
		if (seconds < 3600) {
			return Math.floor(seconds / 60) + ' min ago';
		}
		return date.toLocaleString();
	}

	function badge(status) {
		return element('span', { className: 'badge status-' + status, text: status });
	}

	function progressBar(progress, label) {
		const percent = Math.round(progress * 100);
		return element('progress', { max: '1', value: String(progress), title: percent + ' %',
			'aria-label': label + ': ' + percent + ' %' });
	}

	function json(value) {
		return JSON.stringify(value, null, 2);
	}

	function notify(message, isError) {
		const notice = $('notice');
		notice.textContent = message;
		notice.classList.toggle('error', Boolean(isError));
		notice.hidden = !message;
	}

	// --- Rendering -----------------------------------------------------------------------------

	function renderCounts(stats) {
		const list = $('counts');
		const total = Object.values(stats.tasks).reduce((sum, count) => sum + count, 0);
		const entries = [['', 'all', total]].concat(STATUSES.map((status) => [status, status, stats.tasks[status] || 0]));
		if (list.children.length !== entries.length) {
			list.replaceChildren(...entries.map(([status, label]) => {
				const button = element('button', { type: 'button', className: status ? 'status-' + status : '',
					dataset: { status } }, element('span', { className: 'count' }), element('span', { className: 'label',
					text: label }));
				button.addEventListener('click', () => {
					$('filters').elements.status.value = status;
					applyFilters();
				});
				return element('li', {}, button);
			}));
		}
		entries.forEach(([status, label, count], index) => {
			const button = list.children[index].firstChild;
			button.querySelector('.count').textContent = count.toLocaleString();
			button.setAttribute('aria-pressed', String(state.status === status));
			button.setAttribute('aria-label', count + ' ' + label + ' tasks; show them');
		});
		const names = $('names');
		const known = Object.keys(stats.byName);
		if (names.children.length !== known.length
				|| known.some((name, index) => names.children[index].value !== name)) {
			names.replaceChildren(...known.map((name) => element('option', { value: name })));
		}
		renderByName(stats.byName);
		renderQueues(stats.queues);
	}

	function renderByName(byName) {
		const table = $('by-name');
		const head = table.tHead.rows[0];
		if (head.cells.length === 1) {
			STATUSES.forEach((status) => head.append(element('th', { scope: 'col', className: 'number', text: status })));
		}
		table.tBodies[0].replaceChildren(...Object.entries(byName).map(([name, counts]) => element('tr', {},
			element('th', { scope: 'row', className: 'mono', text: name }),
			...STATUSES.map((status) => element('td', { className: 'number',
				text: (counts[status] || 0).toLocaleString() })))));
	}

	function renderQueues(queues) {
		$('queues').replaceChildren(...['main', 'delay', 'error'].map((queue) => element('div', {},
			element('dt', { text: queue }),
			element('dd', { text: (queues[queue] === null || queues[queue] === undefined) ? 'unknown'
				: queues[queue].toLocaleString() }))));
	}

	function renderWorkers(workers) {
		const body = $('workers').tBodies[0];
		body.replaceChildren(...workers.items.map((worker) => element('tr', { dataset: { workerId: worker.id } },
			element('td', { className: 'mono', text: worker.id }),
			element('td', { text: worker.host }),
			element('td', { className: 'number', text: String(worker.pid) }),
			element('td', {}, time(worker.startedAt, 'short')),
			element('td', {}, time(worker.lastBeacon, 'relative')),
			element('td', { className: 'number' },
				progressBar(worker.maxRunningTasks ? worker.runningTasks / worker.maxRunningTasks : 0, 'Slots in use'),
				' ' + worker.runningTasks + ' / ' + worker.maxRunningTasks),
			element('td', {}, badge(worker.status)))));
		$('workers-empty').hidden = workers.items.length > 0;
	}

	function taskRow(task) {
		const open = element('button', { type: 'button', className: 'link', title: task.id, text: task.id,
			dataset: { action: 'open' } });
		open.addEventListener('click', () => select(task.id));
		const progress = element('td', { dataset: { field: 'progress' } });
		return element('tr', { dataset: { taskId: task.id } },
			element('td', {}, open),
			element('td', { className: 'mono', dataset: { field: 'name' } }),
			element('td', { dataset: { field: 'status' } }),
			element('td', { className: 'number', dataset: { field: 'attempts' } }),
			progress,
			element('td', { dataset: { field: 'created' } }),
			element('td', { dataset: { field: 'updated' } }));
	}

	function updateRow(row, task) {
		const cell = (field) => row.querySelector('[data-field="' + field + '"]');
		cell('name').textContent = task.name;
		if (cell('status').textContent !== task.status) {
			cell('status').replaceChildren(badge(task.status));
		}
		cell('attempts').textContent = task.maxRetries < 0 ? task.attempts + ' / ∞'
			: task.attempts + ' / ' + (task.maxRetries + 1);
		const progress = cell('progress');
		if (task.progress !== null && task.progress !== undefined) {
			progress.replaceChildren(progressBar(task.progress, 'Progress of ' + task.id),
				' ' + Math.round(task.progress * 100) + ' %');
		}
		else {
			progress.replaceChildren();
		}
		cell('created').replaceChildren(time(task.createdAt, 'short'));
		cell('updated').replaceChildren(time(task.updatedAt, 'relative'));
		row.classList.toggle('selected', task.id === state.selected);
	}

	function renderTasks(page) {
		const body = $('tasks').tBodies[0];
		const rows = new Map([...body.rows].map((row) => [row.dataset.taskId, row]));
		const ids = page.items.map((task) => task.id);
		const sameOrder = ids.length === body.rows.length && ids.every((id, index) => body.rows[index].dataset.taskId === id);
		if (!sameOrder) {
			// Rows are kept and moved, and focus is given back, so that a keyboard user does not lose
			// their place when new tasks arrive.
			const focused = document.activeElement && document.activeElement.closest('tr[data-task-id]');
			const focusedId = focused ? focused.dataset.taskId : null;
			body.replaceChildren(...ids.map((id) => rows.get(id) || taskRow(page.items.find((task) => task.id === id))));
			const again = focusedId && body.querySelector('tr[data-task-id="' + CSS.escape(focusedId) + '"] button');
			if (again) {
				again.focus();
			}
		}
		page.items.forEach((task, index) => updateRow(body.rows[index], task));
		$('tasks-empty').hidden = page.items.length > 0;
		state.next = page.next;
		$('page-older').disabled = !page.next;
		$('page-newer').disabled = state.previous.length === 0;
		$('page-first').disabled = state.previous.length === 0;
		$('page-number').textContent = 'Page ' + (state.previous.length + 1);
	}

	function renderDetail(task) {
		const detail = $('detail');
		detail.hidden = false;
		detail.dataset.taskId = task.id;
		detail.dataset.status = task.status;
		$('detail-id').textContent = task.id;
		const fields = [
			['Name', task.name],
			['Status', badge(task.status)],
			['Attempts', task.attempts + (task.maxRetries < 0 ? ' (retries forever)' : ' of at most ' + (task.maxRetries + 1))],
			['Worker', task.worker || '–'],
			['Created', time(task.createdAt)],
			['Started', time(task.startedAt)],
			['Finished', time(task.finishedAt)],
			['Updated', time(task.updatedAt)]
		];
		if (task.replays) {
			fields.push(['Replays', String(task.replays)]);
		}
		$('detail-fields').replaceChildren(...fields.flatMap(([label, value]) => [element('dt', { text: label }),
			element('dd', { dataset: { field: label.toLowerCase() } }, value)]));

		const running = task.status === 'running' && task.progress !== null && task.progress !== undefined;
		$('detail-progress').hidden = !running;
		if (running) {
			$('detail-progress-bar').value = task.progress;
			$('detail-progress-label').textContent = 'Progress ' + Math.round(task.progress * 100) + ' %';
		}

		const args = $('detail-args');
		const outcome = $('detail-outcome');
		args.classList.toggle('hidden-value', !canDebug);
		if (canDebug) {
			args.textContent = 'args: ' + json(task.args) + '\nkwargs: ' + json(task.kwargs);
		}
		else {
			args.textContent = 'Hidden: seeing arguments and results needs the debug authority.';
		}
		outcome.classList.remove('hidden-value', 'error-value');
		if (task.error) {
			$('detail-outcome-title').textContent = 'Error';
			outcome.classList.add('error-value');
			outcome.textContent = task.error.type + (task.error.message ? ': ' + task.error.message : '');
		}
		else {
			$('detail-outcome-title').textContent = 'Result';
			if (task.status !== 'finished') {
				outcome.classList.add('hidden-value');
				outcome.textContent = 'Not finished yet.';
			}
			else if (!canDebug) {
				outcome.classList.add('hidden-value');
				outcome.textContent = 'Hidden: seeing arguments and results needs the debug authority.';
			}
			else {
				outcome.textContent = json(task.result);
			}
		}

		const log = $('detail-log');
		const stuck = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
		log.replaceChildren(...(task.eventlog.length ? task.eventlog.map((event) => element('li', {},
			time(event.at), element('span', { text: event.message })))
			: [element('li', {}, element('span', { className: 'muted', text: '–' }), element('span', { text: 'Nothing logged.' }))]));
		if (stuck) {
			log.scrollTop = log.scrollHeight;
		}

		$('cancel').hidden = !canManage || !CANCELABLE.includes(task.status);
		$('retry').hidden = !canManage || !RETRYABLE.includes(task.status);
	}

	// --- Refreshing ----------------------------------------------------------------------------

	async function refresh() {
		clearTimeout(state.timer);
		const sequence = ++state.sequence;
		try {
			const selected = state.selected;
			const [stats, workers, page, task] = await Promise.all([api(paths.stats), api(paths.workers), api(listPath()),
				selected ? api(taskPath(selected)).catch((ex) => (ex.status === 404 ? null : Promise.reject(ex))) : null]);
			if (sequence !== state.sequence) {
				return;
			}
			renderCounts(stats);
			renderWorkers(workers);
			renderTasks(page);
			if (selected && selected === state.selected) {
				if (task) {
					renderDetail(task);
				}
				else {
					closeDetail();
					notify('Task ' + selected + ' is no longer stored.');
				}
			}
			const live = $('live');
			live.classList.remove('stale');
			live.textContent = 'Live · updated ' + new Date().toLocaleTimeString();
			document.body.dataset.refreshed = String(Date.now());
		}
		catch (ex) {
			if (sequence !== state.sequence) {
				return;
			}
			const live = $('live');
			live.classList.add('stale');
			if (ex.status === 401) {
				state.signedOut = true;
				live.textContent = 'Signed out';
				notify('Your session has ended: reload the page to sign in again.', true);
				return;
			}
			live.textContent = 'Not updated: ' + ex.message;
		}
		clearTimeout(state.timer);
		state.timer = setTimeout(refresh, document.hidden ? HIDDEN_REFRESH_MILLIS : REFRESH_MILLIS);
	}

	function applyFilters() {
		const form = $('filters');
		state.status = form.elements.status.value;
		state.name = form.elements.name.value.trim();
		state.cursor = null;
		state.previous = [];
		refresh();
	}

	function select(id) {
		state.selected = id;
		refresh().then(() => {
			const title = $('detail-title');
			if (!$('detail').hidden) {
				title.focus();
			}
		});
	}

	function closeDetail() {
		state.selected = null;
		$('detail').hidden = true;
		delete $('detail').dataset.taskId;
		[...$('tasks').tBodies[0].rows].forEach((row) => row.classList.remove('selected'));
	}

	async function change(method, path, done) {
		const buttons = [$('cancel'), $('retry')];
		buttons.forEach((button) => {
			button.disabled = true;
		});
		try {
			await api(path, method);
			notify(done);
		}
		catch (ex) {
			notify(ex.message, true);
		}
		finally {
			buttons.forEach((button) => {
				button.disabled = false;
			});
		}
		await refresh();
	}

	// --- Wiring --------------------------------------------------------------------------------

	$('filters').addEventListener('submit', (event) => {
		event.preventDefault();
		applyFilters();
	});
	$('filters').elements.status.addEventListener('change', applyFilters);
	$('filters').elements.name.addEventListener('change', applyFilters);
	$('filters').addEventListener('reset', () => setTimeout(applyFilters));

	$('page-older').addEventListener('click', () => {
		if (state.next) {
			state.previous.push(state.cursor);
			state.cursor = state.next;
			refresh();
		}
	});
	$('page-newer').addEventListener('click', () => {
		if (state.previous.length) {
			state.cursor = state.previous.pop();
			refresh();
		}
	});
	$('page-first').addEventListener('click', () => {
		state.cursor = null;
		state.previous = [];
		refresh();
	});

	$('detail-close').addEventListener('click', () => {
		const id = state.selected;
		closeDetail();
		const row = id && document.querySelector('tr[data-task-id="' + CSS.escape(id) + '"] button');
		if (row) {
			row.focus();
		}
	});
	$('cancel').addEventListener('click', () => {
		const id = state.selected;
		change('DELETE', taskPath(id), 'Cancellation of ' + id + ' requested.');
	});
	$('retry').addEventListener('click', () => {
		const id = state.selected;
		change('POST', taskPath(id) + '/retry', id + ' scheduled to run again.');
	});

	if (config.user && config.signOut) {
		const form = $('sign-out');
		$('user-name').textContent = config.user;
		form.hidden = false;
		form.addEventListener('submit', async (event) => {
			// Posted by script, so that the CSRF token goes in its header like every other change.
			event.preventDefault();
			const response = await fetch(config.signOut, { method: 'POST', credentials: 'same-origin',
				headers: { 'X-XSRF-TOKEN': csrfToken() || '' } });
			if (response.ok) {
				window.location.assign(response.url);
			}
			else {
				notify('Signing out failed (' + response.status + '): reload the page and try again.', true);
			}
		});
	}

	// A page in a background tab polls less, and catches up when it is shown again.
	document.addEventListener('visibilitychange', () => {
		if (!document.hidden && !state.signedOut) {
			refresh();
		}
	});

	refresh();
})();

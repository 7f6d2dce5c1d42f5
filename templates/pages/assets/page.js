// The reset-form pages' script (templates/pages/assets/page.js). Without it the form posts and
// the server answers with a page (its error summary takes the focus through `autofocus`). With it:
// show/hide buttons on both fields, the length and match rules checked as you type, the form sent
// as JSON and the answer shown in place, every problem listed in the error summary (which takes
// the focus) and next to its field. The server still decides: the name and blocklist rules are
// checked there only. Either way the reset token is removed from the address bar once the page has
// loaded (it stays in the form's hidden field). Every word the script says comes from the page, in
// the page's language: the form's `data-messages` JSON object (templates/pages/<locale>/messages.json
// on the server side), with `{{MISSING}}` filled in here.
(function () {
  'use strict';

  if (window.location.search && window.history && window.history.replaceState) {
    window.history.replaceState(null, '', window.location.pathname);
  }

  var form = document.getElementById('reset-form');
  if (!form || !window.fetch) { return; }

  var minLength = parseInt(form.getAttribute('data-min-length'), 10) || 1;
  var password = document.getElementById('new_password');
  var confirmation = document.getElementById('confirm_password');
  var hint = document.getElementById('hint');
  var summary = document.getElementById('error-summary');
  var list = document.getElementById('error-list');
  var result = document.getElementById('result');
  var back = document.getElementById('back');
  var button = document.getElementById('submit');
  var messages = {};
  try { messages = JSON.parse(form.getAttribute('data-messages') || '{}') || {}; } catch (error) { messages = {}; }
  function say(key, missing) {
    var text = typeof messages[key] === 'string' ? messages[key] : '';
    return missing === undefined ? text : text.replace(/\{\{\s*MISSING\s*\}\}/gi, String(missing));
  }
  var mismatch = say('mismatch');

  // The script shows every problem itself, in the summary and next to the fields.
  form.noValidate = true;

  // Show/hide: a real button per field; aria-pressed says whether the password is shown.
  [password, confirmation].forEach(function (field) {
    var toggle = document.getElementById(field.id + '-toggle');
    if (!toggle) { return; }
    toggle.hidden = false;
    toggle.addEventListener('click', function () {
      var show = field.type === 'password';
      field.type = show ? 'text' : 'password';
      toggle.setAttribute('aria-pressed', show ? 'true' : 'false');
    });
  });

  function codePoints(text) { return Array.from(text).length; }

  // The rules the browser can check: [rule id, met?, the field it is about, the message when not met].
  function rules() {
    var length = codePoints(password.value);
    return [
      ['rule-length', length >= minLength, password, say('tooShort')],
      ['rule-match', confirmation.value !== '' && confirmation.value === password.value, confirmation, mismatch]
    ];
  }

  function setRule(id, met, touched) {
    var item = document.getElementById(id);
    if (!item) { return; }
    item.classList.toggle('met', met);
    item.classList.toggle('unmet', touched && !met);
    var state = item.querySelector('.rule-state');
    if (state) { state.textContent = met ? say('done') : (touched ? say('notYet') : ''); }
  }

  // The first rule broken, said as you type (an aria-live region), or '' when both are met.
  function showRules() {
    var touched = password.value !== '' || confirmation.value !== '';
    var state = rules();
    setRule('rule-length', state[0][1], password.value !== '');
    setRule('rule-match', state[1][1], confirmation.value !== '');
    if (!touched) {
      hint.textContent = '';
      hint.className = 'hint';
      return;
    }
    var length = codePoints(password.value);
    var text = '';
    if (length < minLength) {
      var missing = minLength - length;
      text = missing === 1 ? say('missingOne', missing) : say('missingMany', missing);
    } else if (confirmation.value !== password.value) {
      text = mismatch;
    }
    hint.textContent = text || say('allGood');
    hint.className = text ? 'hint bad' : 'hint good';
  }

  function fieldError(field) { return document.getElementById(field.id + '-error'); }

  function clearErrors() {
    [password, confirmation].forEach(function (field) {
      fieldError(field).textContent = '';
      field.setAttribute('aria-invalid', 'false');
    });
    while (list.firstChild) { list.removeChild(list.firstChild); }
    summary.hidden = true;
  }

  // Lists the problems ([field, message] pairs) in the summary and next to their fields, then moves the focus to the summary.
  function showErrors(problems) {
    clearErrors();
    problems.forEach(function (problem, index) {
      var field = problem[0];
      var message = problem[1];
      if (field) {
        fieldError(field).textContent = message;
        field.setAttribute('aria-invalid', 'true');
      }
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = '#' + (field ? field.id : password.id);
      link.textContent = message;
      if (index === 0) { link.id = 'error'; }
      link.addEventListener('click', function (event) {
        event.preventDefault();
        (field || password).focus();
      });
      item.appendChild(link);
      list.appendChild(item);
    });
    summary.hidden = false;
    summary.focus();
  }

  password.addEventListener('input', showRules);
  confirmation.addEventListener('input', showRules);
  showRules();

  // A page the server answered with an error (no script on the way in): the summary has the focus already.
  if (!summary.hidden) {
    var first = document.getElementById('error');
    if (first) {
      first.addEventListener('click', function (event) {
        var target = document.getElementById((first.getAttribute('href') || '#new_password').slice(1));
        if (target) { event.preventDefault(); target.focus(); }
      });
    }
    summary.focus();
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var problems = rules().filter(function (rule) { return !rule[1]; }).map(function (rule) {
      // An empty second field reads better as "repeat it" than as a mismatch.
      if (rule[0] === 'rule-match' && confirmation.value === '') { return [confirmation, say('repeat')]; }
      return [rule[2], rule[3]];
    });
    if (problems.length) {
      showErrors(problems);
      return;
    }
    clearErrors();
    button.disabled = true;
    var body = {
      code: form.elements.code.value,
      locale: form.elements.locale ? form.elements.locale.value : '',
      new_password: password.value,
      confirm_password: confirmation.value
    };
    fetch(form.getAttribute('action'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json();
    }).then(function (envelope) {
      var data = envelope && envelope.data ? envelope.data : {};
      if (envelope && envelope.success) {
        form.hidden = true;
        hint.textContent = '';
        result.textContent = data.message || envelope.message || say('changed');
        result.hidden = false;
        back.hidden = false;
        result.setAttribute('tabindex', '-1');
        result.focus();
        return;
      }
      if (data.errorCode === 62) {
        // The link was used or expired meanwhile: the page without a token offers a new one.
        window.location.replace(window.location.pathname);
        return;
      }
      var message = data.message || say('notChanged');
      var field = data.errorCode === 121 || data.errorCode === 61 ? (message === mismatch ? confirmation : password) : null;
      showErrors([[field, message]]);
      button.disabled = false;
    }).catch(function () {
      showErrors([[null, say('unreachable')]]);
      button.disabled = false;
    });
  });
})();

// The reset-form pages' script (templates/pages/assets/page.js). Without it the form posts and
// the server answers with a page; with it the two fields are checked as you type, the form is
// sent as JSON, and the answer is shown in place. Either way the reset token is removed from
// the address bar once the page has loaded (it stays in the form's hidden field).
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
  var error = document.getElementById('error');
  var result = document.getElementById('result');
  var back = document.getElementById('back');
  var button = document.getElementById('submit');

  // The first rule the two fields break, or '' when they are fine.
  function problem() {
    var length = Array.from(password.value).length;
    if (length < minLength) {
      var missing = minLength - length;
      return missing + (missing === 1 ? ' more character' : ' more characters') + ' needed (at least ' + minLength + ').';
    }
    if (confirmation.value !== password.value) { return 'The two passwords do not match.'; }
    return '';
  }

  function showHint() {
    if (!password.value && !confirmation.value) {
      hint.textContent = '';
      hint.className = 'hint';
      return;
    }
    var text = problem();
    hint.textContent = text || 'Both passwords match and follow the policy.';
    hint.className = text ? 'hint bad' : 'hint good';
  }

  password.addEventListener('input', showHint);
  confirmation.addEventListener('input', showHint);

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var text = problem();
    if (text) {
      error.textContent = text;
      return;
    }
    error.textContent = '';
    button.disabled = true;
    var body = {
      code: form.elements.code.value,
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
        result.textContent = data.message || envelope.message || 'Your password was changed.';
        result.hidden = false;
        back.hidden = false;
        return;
      }
      if (data.errorCode === 62) {
        // The link was used or expired meanwhile: the page without a token offers a new one.
        window.location.replace(window.location.pathname);
        return;
      }
      error.textContent = data.message || 'The password was not changed.';
      button.disabled = false;
    }).catch(function () {
      error.textContent = 'The server could not be reached. Check your connection and try again.';
      button.disabled = false;
    });
  });
})();

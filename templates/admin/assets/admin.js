// The admin pages' script (templates/admin/assets/admin.js). Everything works without it; with
// it the reset-email preview follows the editor as you type, and remove buttons ask first.
(function () {
  'use strict';

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';

  // Forms marked data-confirm ask before they are sent.
  Array.prototype.forEach.call(document.querySelectorAll('form[data-confirm]'), function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.getAttribute('data-confirm'))) { event.preventDefault(); }
    });
  });

  var editor = document.getElementById('email-form');
  if (!editor || !window.fetch) { return; }
  var previewButton = document.getElementById('preview-button');
  var subject = document.getElementById('preview-subject');
  var text = document.getElementById('preview-text');
  var status = document.getElementById('preview-status');
  var keys = ['reset_password.mode', 'reset_password.email_type', 'reset_password.email_subject', 'reset_password.email_body'];
  var timer = null;
  var sequence = 0;

  // The editor's current values, as the admin API's preview takes them.
  function draft() {
    var values = {};
    keys.forEach(function (key) {
      var field = editor.elements[key];
      if (!field) { return; }
      var first = field instanceof RadioNodeList ? field[0] : field;
      if (!first.disabled) { values[key] = field.value; }
    });
    return values;
  }

  function refresh() {
    var mine = ++sequence;
    fetch('/admin/api/preview', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(draft())
    }).then(function (response) {
      return response.json();
    }).then(function (envelope) {
      if (mine !== sequence) { return; }
      var data = envelope.data || {};
      if (envelope.success) {
        subject.textContent = data.subject || '';
        text.textContent = data.text || '';
        status.textContent = data.mail ? '' : (data.message || '');
      } else {
        var errors = (data.errors || []).map(function (error) { return error.message; });
        status.textContent = errors.length ? errors.join(' ') : (data.message || 'The preview failed.');
      }
    }).catch(function () {
      if (mine === sequence) { status.textContent = 'The preview could not be loaded.'; }
    });
    // The body itself renders in the sandboxed frame, where the mail's own styles apply.
    if (previewButton && editor.requestSubmit) { editor.requestSubmit(previewButton); }
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  }

  editor.addEventListener('input', schedule);
  editor.addEventListener('change', schedule);
  refresh();
})();

// Sign-in code page: where the browser can read the code from the SMS (WebOTP; the SMS ends with the
// line "@host #code" for this site), fill it in and send the form. Elsewhere nothing happens and the
// code is typed, or offered by the keyboard (autocomplete="one-time-code").
(function () {
  if (!("OTPCredential" in window)) return;
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector('input[autocomplete="one-time-code"]');
    if (!input || !input.form) return;
    var form = input.form;
    var waiting = new AbortController();
    form.addEventListener("submit", function () { waiting.abort(); });
    navigator.credentials
      .get({ otp: { transport: ["sms"] }, signal: waiting.signal })
      .then(function (otp) {
        if (!otp || !otp.code) return;
        input.value = otp.code;
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      })
      .catch(function () {});  // refused, aborted or not delivered: the person types the code
  });
})();

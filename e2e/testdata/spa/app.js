// The SPA that TestSPAWithOIDCClientTS drives: oidc-client-ts's UserManager against
// authd, as an app would use it. The test serves /config.json with authd's URL (the
// issuer) and the app's client ID. One page answers three paths: / (buttons),
// /callback.html (the redirect URI) and /logged-out.html (the post-logout URI).
// The test reads body[data-state] and the outputs.
"use strict";

(async () => {
  const $ = (id) => document.getElementById(id);
  const state = (s, text) => {
    document.body.dataset.state = s;
    $("status").textContent = text || s;
  };
  const show = (user) => {
    $("profile-email").textContent = user ? user.profile.email : "";
    $("expires").textContent = user ? new Date(user.expires_at * 1000).toISOString() : "";
  };
  const fail = (err) => {
    console.error("spa:", err);
    $("error").textContent = String(err && err.message ? err.message : err);
    state("error");
  };

  try {
    const cfg = await (await fetch("/config.json")).json();
    oidc.Log.setLogger(console);
    oidc.Log.setLevel(oidc.Log.WARN);
    const mgr = new oidc.UserManager({
      authority: cfg.authority,
      client_id: cfg.clientID,
      redirect_uri: location.origin + "/callback.html",
      post_logout_redirect_uri: location.origin + "/logged-out.html",
      response_type: "code",
      scope: "openid profile email offline_access",
      automaticSilentRenew: false,
    });
    let renewals = 0;

    $("login").addEventListener("click", () => mgr.signinRedirect({ state: { back: "/" } }).catch(fail));
    $("renew").addEventListener("click", async () => {
      try {
        const user = await mgr.signinSilent(); // a refresh token: the refresh_token grant, no iframe
        renewals++;
        show(user);
        $("renewals").textContent = String(renewals);
        document.body.dataset.renewals = String(renewals);
        state("signed-in", "renewed");
      } catch (err) {
        fail(err);
      }
    });
    // With state: authd must send it back, and signoutRedirectCallback checks it.
    $("logout").addEventListener("click", () => mgr.signoutRedirect({ state: { bye: "ada" } }).catch(fail));

    if (location.pathname === "/callback.html") {
      const user = await mgr.signinRedirectCallback();
      history.replaceState(null, "", "/"); // the code is spent; keep it out of the address bar
      show(user);
      state("signed-in", "signed in");
    } else if (location.pathname === "/logged-out.html") {
      const resp = await mgr.signoutRedirectCallback();
      history.replaceState(null, "", "/");
      show(await mgr.getUser());
      state("signed-out", "signed out; the state that came back: " + JSON.stringify(resp.userState));
    } else {
      const user = await mgr.getUser();
      show(user);
      state(user ? "signed-in" : "anonymous", user ? "signed in" : "not signed in");
    }
  } catch (err) {
    fail(err);
  }
})();

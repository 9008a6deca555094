import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, getToken, ok } from "./api/client";
import { AccountPage, type Who } from "./Account";
import { Catalogue } from "./Catalogue";
import { finishSignIn } from "./globus";
import { useRoute } from "./route";
import { ServablePage } from "./Servable";
import "./style.css";

function App() {
  const route = useRoute();
  const [who, setWho] = useState<Who | null>(null);
  const [epoch, setEpoch] = useState(0);
  const [signInError, setSignInError] = useState("");
  useEffect(() => {
    void finishSignIn().then((r) => {
      setSignInError(r.error);
      if (r.signedIn) setEpoch((n) => n + 1);
    });
  }, []);
  useEffect(() => {
    api
      .GET("/api/v1/whoami")
      .then((r) => setWho(ok(r) as unknown as Who))
      .catch(() => setWho(null));
  }, [epoch]);
  const page = route.path[0] ?? "";
  const key = `${epoch}:${getToken() ? 1 : 0}`; // pages reload what they show on sign-in/out
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a href="#/" class="brand">
          DLHub
        </a>
        <span class="tagline">Publish, find and run scientific models</span>
        <nav aria-label="Main">
          <a href="#/">Catalogue</a>
          <a href="#/account" data-testid="account-link">
            {who && !who.anonymous ? `${who.username}` : "Sign in"}
          </a>
          <a href="/docs">API</a>
        </nav>
      </header>
      <main id="main" key={key}>
        {page === "s" && route.path.length >= 3 ? (
          <ServablePage route={route} />
        ) : page === "account" ? (
          <AccountPage who={who} signInError={signInError} onChange={() => setEpoch((n) => n + 1)} />
        ) : (
          <Catalogue route={route} />
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);

// "Sign in with Globus" in the browser: the gateway runs the OAuth2 flow and sends the
// page back with a one-time ticket in its address (in the fragment, which no server
// sees): /#/account?ticket=... The page redeems it once for the token, keeps the token
// like a pasted one, and takes the ticket out of the address bar.
import { api, errorText, ok, setToken } from "./api/client";

const TICKET = "ticket";
const ERROR = "sign_in_error";

/** Where the sign-in starts, to come back to this page's account route. */
export function startUrl(start: string): string {
  const back = `${location.pathname}${location.search}#/account`;
  return `${start}?${new URLSearchParams({ return_to: back })}`;
}

/** The hash's parameters: a hash route's query (#/account?x=) or the hash itself (#x=). */
function hashParams(): { route: string; params: URLSearchParams } {
  const hash = location.hash.replace(/^#/, "");
  if (hash.startsWith("/")) {
    const [route, query = ""] = hash.split("?", 2);
    return { route, params: new URLSearchParams(query) };
  }
  return { route: "", params: new URLSearchParams(hash) };
}

/** Take ``ticket`` and ``sign_in_error`` out of the address (history.replaceState). */
function takeFromAddress(): { ticket: string; error: string } {
  const { route, params } = hashParams();
  const ticket = params.get(TICKET) ?? "";
  const error = params.get(ERROR) ?? "";
  if (ticket || error) {
    params.delete(TICKET);
    params.delete(ERROR);
    const rest = params.toString();
    const hash = route ? `#${route}${rest ? `?${rest}` : ""}` : rest ? `#${rest}` : "";
    history.replaceState(history.state, "", `${location.pathname}${location.search}${hash}`);
  }
  return { ticket, error };
}

/** On load: redeem a ticket the sign-in left (signed in: true), or say why it failed. */
export async function finishSignIn(): Promise<{ signedIn: boolean; error: string }> {
  const { ticket, error } = takeFromAddress();
  if (error) return { signedIn: false, error: `Globus sign-in failed: ${error}` };
  if (!ticket) return { signedIn: false, error: "" };
  try {
    const r = ok(await api.POST("/api/v1/sign-in/globus/ticket", { body: { ticket } }));
    setToken(r.token);
    return { signedIn: true, error: "" };
  } catch (e) {
    return { signedIn: false, error: `Globus sign-in failed: ${errorText(e)}` };
  }
}

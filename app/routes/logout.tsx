// Sign-out is a POST (the user menu submits it); a GET never signs anyone out.
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { logout } from "~/auth.server";

export async function action({ request }: ActionFunctionArgs) {
  return logout(request);
}

export async function loader() {
  throw redirect("/app");
}

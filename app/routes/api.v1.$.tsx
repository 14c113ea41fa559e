// Any other /api/v1 path: a JSON 404 in the API's error shape rather than the admin's HTML page. Not an
// endpoint (docs/api/openapi.yaml lists the real ones).
import { apiError } from "~/api.server";

export const loader = () => apiError(404, "not_found", "There is no such API endpoint; see docs/api/openapi.yaml.");
export const action = loader;

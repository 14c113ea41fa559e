// Feedback that looks native in both shells (ADR 0038): inside the Shopify admin, App Bridge's toast
// (`shopify.toast`) and save bar (`ui-save-bar`); standalone, Polaris' Toast and ContextualSaveBar in our Frame.
// Pages say what happened (`toast`) or that there is something to save (`UnsavedChangesBar`), never which shell.
import { SaveBar } from "@shopify/app-bridge-react";
import { ContextualSaveBar, Toast } from "@shopify/polaris";
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

interface ShellFeedback {
  embedded: boolean;
  toast(message: string, options?: { error?: boolean }): void;
}

/** Outside the admin layout (error pages): nowhere to show a toast, so none is shown. */
const ShellFeedbackContext = createContext<ShellFeedback>({ embedded: false, toast: () => {} });

export const useShellFeedback = () => useContext(ShellFeedbackContext);

interface AppBridgeGlobal {
  toast?: { show(message: string, options?: { isError?: boolean; duration?: number }): string };
}

/** Standalone: render it inside Polaris' Frame (Toast and ContextualSaveBar need it). */
export function ShellFeedbackProvider({ embedded, children }: { embedded: boolean; children: ReactNode }) {
  const [toasts, setToasts] = useState<{ id: number; message: string; error: boolean }[]>([]);
  const toast = useCallback(
    (message: string, options: { error?: boolean } = {}) => {
      if (embedded) {
        // App Bridge, loaded by the embedded app's document, puts `shopify` on window.
        (window as unknown as { shopify?: AppBridgeGlobal }).shopify?.toast?.show(message, { isError: options.error ?? false });
        return;
      }
      setToasts((shown) => [...shown.slice(-2), { id: Date.now() + Math.random(), message, error: options.error ?? false }]);
    },
    [embedded],
  );
  const value = useMemo(() => ({ embedded, toast }), [embedded, toast]);
  return (
    <ShellFeedbackContext.Provider value={value}>
      {children}
      {embedded
        ? null
        : toasts.map((item) => (
            <Toast key={item.id} content={item.message} error={item.error} onDismiss={() => setToasts((shown) => shown.filter((other) => other.id !== item.id))} />
          ))}
    </ShellFeedbackContext.Provider>
  );
}

interface BarAction {
  content: string;
  onAction(): void;
  loading?: boolean;
}

/** The admin's "unsaved changes" bar: App Bridge's save bar embedded, Polaris' contextual save bar standalone. */
export function UnsavedChangesBar(props: { open: boolean; message: string; save: BarAction; discard: BarAction }) {
  const { embedded } = useShellFeedback();
  if (embedded) {
    return (
      <SaveBar id="nf-unsaved-changes" open={props.open}>
        <button variant="primary" onClick={props.save.onAction} loading={props.save.loading ? "" : undefined}>
          {props.save.content}
        </button>
        <button onClick={props.discard.onAction}>{props.discard.content}</button>
      </SaveBar>
    );
  }
  if (!props.open) return null;
  return (
    <ContextualSaveBar
      message={props.message}
      saveAction={{ content: props.save.content, onAction: props.save.onAction, loading: props.save.loading }}
      discardAction={{ content: props.discard.content, onAction: props.discard.onAction }}
    />
  );
}

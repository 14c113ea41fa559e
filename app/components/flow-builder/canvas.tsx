// The canvas: @xyflow/react drawing the laid-out graph with our node cards and edges ("+" inserts a step on an
// edge). Positions come from dagre (graph.ts); nodes are not dragged. Keyboard: Tab or the arrow keys move focus
// between nodes in reading order, Enter opens the panel, Delete removes, "a" opens the add menu.
import { ActionList, Icon, Popover } from "@shopify/polaris";
import {
  AlertCircleIcon,
  ArrowsOutHorizontalIcon,
  CalendarTimeIcon,
  CartAbandonedIcon,
  ClockIcon,
  ConnectIcon,
  DiscountCodeIcon,
  EmailIcon,
  FlagIcon,
  MergeIcon,
  PlusIcon,
  QuestionCircleIcon,
  HashtagIcon,
} from "@shopify/polaris-icons";
import {
  BaseEdge,
  Controls,
  EdgeLabelRenderer,
  Handle,
  Position,
  ReactFlow,
  getSmoothStepPath,
  type Edge,
  type EdgeProps,
  type Node,
  type NodeProps,
  type ReactFlowInstance,
} from "@xyflow/react";
import { createContext, memo, useCallback, useContext, useEffect, useMemo, useRef, type KeyboardEvent } from "react";
import type { FlowNode } from "~/core/flows/definition";
import { nodeAriaLabel, nodeKindLabel, nodeSummary, nodeTitle, triggerCardSummary, triggerTitle, type SegmentNames } from "./describe";
import { ADDABLE_TYPES, NODE_HEIGHT, NODE_TYPE_LABELS, NODE_WIDTH, layoutGraph, readingOrder, type Draft, type NodeType, type OutputRef } from "./graph";

export const NODE_ICONS = {
  trigger: CartAbandonedIcon,
  delay: ClockIcon,
  wait_until: CalendarTimeIcon,
  email: EmailIcon,
  condition: QuestionCircleIcon,
  split: ArrowsOutHorizontalIcon,
  ab_split: MergeIcon,
  discount_code: DiscountCodeIcon,
  tag_customer: HashtagIcon,
  webhook: ConnectIcon,
  exit: FlagIcon,
};

interface CardData extends Record<string, unknown> {
  kind: NodeType | "trigger";
  title: string;
  summary: string;
  problems: number;
  open: boolean;
}

interface EdgeData extends Record<string, unknown> {
  label: string | null;
  output: OutputRef;
  description: string;
}

interface CanvasActions {
  menuEdge: string | null;
  setMenuEdge(id: string | null): void;
  insert(output: OutputRef, type: NodeType): void;
}

const CanvasContext = createContext<CanvasActions | null>(null);

const FlowNodeCard = memo(function FlowNodeCard({ data }: NodeProps<Node<CardData>>) {
  return (
    <div className="nf-node" data-kind={data.kind} data-open={data.open || undefined} data-invalid={data.problems > 0 || undefined}>
      <Handle type="target" position={Position.Top} isConnectable={false} className="nf-handle" />
      <span className="nf-node__icon" aria-hidden>
        <Icon source={NODE_ICONS[data.kind]} />
      </span>
      <span className="nf-node__text">
        {/* The spaces keep the words apart in the text assistive tech reads from the card (axe compares it with the name). */}
        <span className="nf-node__kind">{nodeKindLabel(data.kind)}</span>{" "}
        <span className="nf-node__title">{data.title}</span>{" "}
        <span className="nf-node__summary">{data.summary}</span>
      </span>
      {data.problems > 0 ? (
        <span className="nf-node__problem" title={`${data.problems} problem${data.problems === 1 ? "" : "s"}`} data-testid="node-problem">
          <Icon source={AlertCircleIcon} tone="critical" />
        </span>
      ) : null}
      <Handle type="source" position={Position.Bottom} isConnectable={false} className="nf-handle" />
    </div>
  );
});

function AddEdge(props: EdgeProps<Edge<EdgeData>>) {
  const actions = useContext(CanvasContext);
  const [path, labelX, labelY] = getSmoothStepPath({ ...props, borderRadius: 10, offset: 20 });
  if (!actions || !props.data) return null;
  const { data } = props;
  const open = actions.menuEdge === props.id;
  return (
    <>
      <BaseEdge id={props.id} path={path} className="nf-edge" />
      <EdgeLabelRenderer>
        <div className="nf-edge__label nodrag nopan" style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}>
          {data.label ? <span className="nf-edge__branch">{data.label}</span> : null}
          <Popover
            active={open}
            onClose={() => actions.setMenuEdge(null)}
            preferredAlignment="center"
            activator={
              <button type="button" className="nf-edge__add" aria-label={`Insert a step ${data.description}`} aria-expanded={open} onClick={() => actions.setMenuEdge(open ? null : props.id)}>
                <Icon source={PlusIcon} />
              </button>
            }
          >
            <ActionList
              actionRole="menuitem"
              sections={[
                {
                  title: "Insert a step",
                  items: ADDABLE_TYPES.filter((type) => type !== "exit").map((type) => ({
                    content: NODE_TYPE_LABELS[type],
                    icon: NODE_ICONS[type],
                    onAction: () => {
                      actions.setMenuEdge(null);
                      actions.insert(data.output, type);
                    },
                  })),
                },
              ]}
            />
          </Popover>
        </div>
      </EdgeLabelRenderer>
    </>
  );
}

const nodeTypes = { card: FlowNodeCard };
const READABLE_ZOOM = 0.85;
const edgeTypes = { add: AddEdge };

export interface FlowCanvasProps {
  draft: Draft;
  problemsByNode: Record<string, unknown[]>;
  openNodeId: string | null;
  menuEdge: string | null;
  setMenuEdge(id: string | null): void;
  onOpen(nodeId: string): void;
  onInsert(output: OutputRef, type: NodeType): void;
  onDelete(nodeId: string): void;
  onAddMenu(nodeId: string | null): void;
  /** The node that has keyboard focus, for the palette ("add after"). */
  onFocusNode(nodeId: string | null): void;
  /** Segment names by id, so a segment trigger reads "Enters VIPs". */
  segments?: SegmentNames;
}

export function FlowCanvas(props: FlowCanvasProps) {
  const { draft, problemsByNode, openNodeId } = props;
  const segments = props.segments;
  const graph = useMemo(() => layoutGraph(draft), [draft]);
  const order = useMemo(() => readingOrder(graph), [graph]);
  const titles = useMemo(() => new Map(graph.nodes.map((item) => [item.id, item.node ? nodeTitle(item.node) : "the trigger"])), [graph]);

  const nodes = useMemo<Node<CardData>[]>(
    () =>
      graph.nodes.map((item) => {
        const problems = problemsByNode[item.id]?.length ?? 0;
        const node: FlowNode | null = item.node;
        return {
          id: item.id,
          type: "card",
          position: { x: item.x, y: item.y },
          width: NODE_WIDTH,
          height: NODE_HEIGHT,
          draggable: false,
          ariaRole: "button",
          connectable: false,
          selected: item.id === openNodeId,
          ariaLabel: nodeAriaLabel(node, draft, problems, segments),
          data: {
            kind: node ? node.type : "trigger",
            title: node ? nodeTitle(node) : triggerTitle(draft, segments),
            summary: node ? nodeSummary(node) : triggerCardSummary(draft),
            problems,
            open: item.id === openNodeId,
          },
        };
      }),
    [graph, problemsByNode, openNodeId, draft, segments],
  );

  const edges = useMemo<Edge<EdgeData>[]>(
    () =>
      graph.edges.map((edge) => ({
        id: edge.id,
        source: edge.source,
        target: edge.target,
        type: "add",
        focusable: false,
        data: {
          label: edge.label,
          output: edge.output,
          description: `between ${titles.get(edge.source)} and ${titles.get(edge.target)}${edge.label ? ` (${edge.label})` : ""}`,
        },
      })),
    [graph, titles],
  );

  const actions = useMemo<CanvasActions>(
    () => ({ menuEdge: props.menuEdge, setMenuEdge: props.setMenuEdge, insert: props.onInsert }),
    [props.menuEdge, props.setMenuEdge, props.onInsert],
  );

  const wrapper = useRef<HTMLDivElement>(null);
  const instance = useRef<ReactFlowInstance<Node<CardData>, Edge<EdgeData>> | null>(null);
  const focusNode = useCallback((id: string) => {
    const element = wrapper.current?.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(id)}"]`);
    element?.focus();
    const laid = graph.nodes.find((node) => node.id === id);
    const viewport = instance.current;
    if (laid && viewport) {
      // Keep the focused node on screen without changing the zoom.
      const zoom = viewport.getZoom();
      const bounds = wrapper.current?.getBoundingClientRect();
      const screen = viewport.flowToScreenPosition({ x: laid.x, y: laid.y });
      if (bounds && (screen.y < bounds.top || screen.y + NODE_HEIGHT * zoom > bounds.bottom || screen.x < bounds.left || screen.x > bounds.right)) {
        void viewport.setCenter(laid.x + NODE_WIDTH / 2, laid.y + NODE_HEIGHT / 2, { zoom, duration: 150 });
      }
    }
  }, [graph]);

  const focusedId = () => (document.activeElement as HTMLElement | null)?.closest<HTMLElement>(".react-flow__node")?.dataset.id ?? null;

  // After an insert or a delete, focus follows the node the route says is open (or stays where it was).
  useEffect(() => {
    if (openNodeId && wrapper.current?.contains(document.activeElement)) focusNode(openNodeId);
  }, [openNodeId, focusNode]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const id = focusedId();
    if (!id || event.ctrlKey || event.metaKey || event.altKey) return;
    const index = order.indexOf(id);
    if (event.key === "ArrowDown" || event.key === "ArrowRight") {
      event.preventDefault();
      focusNode(order[Math.min(order.length - 1, index + 1)]);
    } else if (event.key === "ArrowUp" || event.key === "ArrowLeft") {
      event.preventDefault();
      focusNode(order[Math.max(0, index - 1)]);
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      props.onOpen(id);
    } else if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      props.onDelete(id);
    } else if (event.key === "a" || event.key === "A") {
      event.preventDefault();
      props.onAddMenu(id);
    }
  };

  return (
    <CanvasContext.Provider value={actions}>
      <div
        ref={wrapper}
        className="nf-canvas"
        onKeyDown={onKeyDown}
        onFocus={() => props.onFocusNode(focusedId())}
        role="group"
        aria-label="Flow canvas. Use Tab or the arrow keys to move between steps, Enter to open a step, Delete to remove it, A to add a step after it."
      >
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onInit={(flow) => {
            instance.current = flow;
            // Fit on load, but never so small the cards cannot be read: a long flow starts at its top instead.
            void flow.fitView({ padding: 0.12, maxZoom: 1, minZoom: READABLE_ZOOM }).then(() => {
              if (flow.getZoom() <= READABLE_ZOOM + 0.001) void flow.setViewport({ ...flow.getViewport(), y: 24 });
            });
          }}
          onNodeClick={(_, node) => props.onOpen(node.id)}
          onPaneClick={() => props.setMenuEdge(null)}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable
          edgesFocusable={false}
          deleteKeyCode={null}
          selectionKeyCode={null}
          multiSelectionKeyCode={null}
          disableKeyboardA11y
          minZoom={0.2}
          maxZoom={1.5}
          proOptions={{ hideAttribution: true }}
          zoomOnDoubleClick={false}
        >
          <Controls showInteractive={false} position="bottom-left" aria-label="Zoom controls" fitViewOptions={{ padding: 0.15, maxZoom: 1 }} />
        </ReactFlow>
      </div>
    </CanvasContext.Provider>
  );
}

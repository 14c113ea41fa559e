export * from "./entities";
export * from "./events";
export * from "./normalize";

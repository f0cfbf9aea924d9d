export { createFluxNoteClient, unwrap } from './client';
export type { ClientOptions, FluxNoteClient, Session, Tokens } from './client';
export { ApiProblem } from './problem';
export type { ProblemBody, ProblemType } from './problem';
export { pages } from './pages';
export type { Page } from './pages';
export type { StreamData, StreamEvent, StreamOptions, StreamPath } from './events';
export type { components, operations, paths } from './generated/api';

// Style imports are bundled by Vite.
declare module '*.css';
// Vite bundles `?worker` imports as a separate worker file and gives its constructor.
declare module '*?worker' {
  const WorkerConstructor: new () => Worker;
  export default WorkerConstructor;
}

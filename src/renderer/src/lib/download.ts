/**
 * Browser fallback for saving an export: the headless server streams the document from a
 * same-origin URL (GET /export, Content-Disposition: attachment), offered through an
 * <a download> click. The page never holds the document, so its size is not bounded by memory;
 * the browser's own download manager shows progress and the saved file.
 * Security: only same-origin paths are handed in (see export-import.ts); nothing is rendered.
 */
export type Downloader = (url: string) => void;

export const downloadUrl: Downloader = (url) => {
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = ''; // the server's Content-Disposition names the file
  anchor.rel = 'noopener';
  anchor.style.display = 'none';
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
};

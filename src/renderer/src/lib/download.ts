/**
 * Browser fallback for saving an export: a Blob offered through an <a download> click.
 * The text is the export document produced by our core; nothing is interpreted as HTML.
 */
export type Downloader = (fileName: string, text: string) => void;

export const downloadText: Downloader = (fileName, text) => {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.rel = 'noopener';
  anchor.style.display = 'none';
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // revoke later: revoking right after click() can cancel the download in some browsers
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
};

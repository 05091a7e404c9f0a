// Copy buttons: <button data-copy="input-id"> copies that field's value and says so in
// the element with data-copy-status="input-id" (a live region). Without the Clipboard API
// (plain HTTP), it selects the text so the person can press Ctrl+C.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  const status = document.querySelector(`[data-copy-status="${button.dataset.copy}"]`);
  if (!field) return;
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
    if (status) status.textContent = "Copied to the clipboard.";
  } catch (error) {
    if (status) status.textContent = "Selected: press Ctrl+C (or ⌘C) to copy.";
  }
});

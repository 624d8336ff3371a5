// Copy-to-clipboard buttons: <button data-copy="#element-id">.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(() => {
    const label = button.innerHTML;
    button.textContent = "Copied";
    setTimeout(() => { button.innerHTML = label; }, 1500);
  });
});

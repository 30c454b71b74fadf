// Citation cards: opening one scrolls its passage so the quoted words sit in the middle;
// Escape or a click elsewhere closes it (the card shows while its marker is hovered or focused).
(() => {
  const marker = (node) => (node && node.closest ? node.closest(".cite") : null);
  const centre = (cite) => {
    const text = cite.querySelector(".cite-text");
    const mark = text && text.querySelector("mark");
    if (!mark) return;
    requestAnimationFrame(() => {
      const offset = mark.offsetTop - text.offsetTop;
      text.scrollTop = Math.max(0, offset - (text.clientHeight - mark.offsetHeight) / 2);
    });
  };
  const open = (event) => {
    const cite = marker(event.target);
    if (!cite || (event.relatedTarget && cite.contains(event.relatedTarget))) return;
    cite.classList.remove("dismissed");
    centre(cite);
  };
  document.addEventListener("focusin", open);
  document.addEventListener("mouseover", open);
  document.addEventListener("mouseout", (event) => {
    const cite = marker(event.target);
    if (cite && !cite.contains(event.relatedTarget) && document.activeElement !== cite) cite.classList.remove("dismissed");
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    document.querySelectorAll(".cite").forEach((cite) => {
      if (cite.matches(":hover, :focus, :focus-within")) cite.classList.add("dismissed");
    });
    const focused = marker(document.activeElement);
    if (focused) focused.blur();
  });
  document.addEventListener("click", (event) => {
    // a click away closes an open card; a click on a marker opens (focuses) it
    const cite = marker(event.target);
    document.querySelectorAll(".cite.dismissed").forEach((other) => { if (other !== cite) other.classList.remove("dismissed"); });
    if (cite) { cite.classList.remove("dismissed"); cite.focus(); centre(cite); }
  });
})();

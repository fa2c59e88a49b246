const q = new URLSearchParams(location.search);
const frame = document.getElementById('narrow');
frame.width = q.get('w') ?? '390';
frame.height = q.get('h') ?? '844';
frame.src = q.get('src') ?? '/';

import json, sys, re
sys.path.insert(0, '/work/main')
from align.eval import parse_ladder
B = '/work/shared/bench/udhr-ar-en'
src = open(f'{B}/src/udhr', encoding='utf-8').read().split('\n'); tgt = open(f'{B}/tgt/udhr', encoding='utf-8').read().split('\n')
gold = parse_ladder(open(f'{B}/gold/udhr').read())
norm = lambda s: re.sub(r'\s+', ' ', s).strip()
gold_txt = {(norm(' '.join(src[i] for i in a)), norm(' '.join(tgt[j] for j in b))) for a, b in gold}
rows = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')][1:]
pred = {(norm(r['src']), norm(r['tgt'])) for r in rows if r['level'] == 'paragraph'}
hit = len(gold_txt & pred)
print(f'paragraph links reproduced: {hit}/{len(gold_txt)} = {hit/len(gold_txt):.3f}')
for g in sorted(gold_txt - pred)[:10]: print('MISS', g[0][:50], '|', g[1][:50])
